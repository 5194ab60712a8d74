// Guardrail rules (created, changed) and the violations a check recorded. Every rule change
// bumps the app's rule-set version.
#include "processors/fold.h"
#include "processors/guardrail_version.h"
#include "projections/guardrails.h"
#include "projections/keys.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {

Status BumpGuardrailVersion(const FoldContext& c) {
  const std::string key = GuardrailVersionKey(c.event.app_id);
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kIndexes), key, &stored);
  if (!found.ok()) return found.status();
  std::string value;
  AppendBigEndian64(&value, (*found ? ReadBigEndian64(stored) : 0) + 1);
  c.batch.Put(Family(Table::kIndexes), key, value);
  return Status::Ok();
}

namespace {

Status FoldRuleCreated(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  RuleRow row;
  std::string_view id, name, type, pattern, action, direction, pack;
  bool enabled = true;
  if (p["ruleId"].get(id) || p["name"].get(name) || p["type"].get(type) ||
      p["pattern"].get(pattern) || p["action"].get(action) || p["direction"].get(direction) ||
      p["enabled"].get(enabled) || p["pack"].get(pack)) {
    return BadPayload(c.event, "a guardrail rule lacks a field");
  }
  row.rule = GuardrailRule{
      std::string(id),     std::string(name),      std::string(type), std::string(pattern),
      std::string(action), std::string(direction), std::string(pack), enabled};
  row.created_at = row.updated_at = c.event.ts_ms;
  c.batch.Put(Family(Table::kGuardrailRules), RuleKey(c.event.app_id, id), row.Encode());
  return BumpGuardrailVersion(c);
}

Status FoldRuleUpdated(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view id;
  if (p["ruleId"].get(id)) return BadPayload(c.event, "no ruleId");
  std::string stored;
  const std::string key = RuleKey(c.event.app_id, id);
  Result<bool> found = c.batch.Get(Family(Table::kGuardrailRules), key, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return Status::Ok();
  Result<RuleRow> loaded = RuleRow::Decode(c.row_parser, stored);
  if (!loaded.ok()) return loaded.status();
  RuleRow row = std::move(*loaded);
  std::string_view s;
  bool b = false;
  if (!p["name"].get(s)) row.rule.name = std::string(s);
  if (!p["pattern"].get(s)) row.rule.pattern = std::string(s);
  if (!p["action"].get(s)) row.rule.action = std::string(s);
  if (!p["direction"].get(s)) row.rule.direction = std::string(s);
  if (!p["enabled"].get(b)) row.rule.enabled = b;
  row.updated_at = c.event.ts_ms;
  c.batch.Put(Family(Table::kGuardrailRules), key, row.Encode());
  return BumpGuardrailVersion(c);
}

Status FoldViolationsRecorded(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view session, direction;
  simdjson::dom::array violations;
  if (p["sessionId"].get(session) || p["direction"].get(direction) ||
      p["violations"].get(violations)) {
    return BadPayload(c.event, "violations lack a session, direction or list");
  }
  uint32_t index = 0;
  for (simdjson::dom::object v : violations) {
    std::string key = ViolationPrefix(c.event.app_id, session);
    AppendBigEndian64(&key, static_cast<uint64_t>(c.event.ts_ms));
    AppendBigEndian64(&key, static_cast<uint64_t>(c.position.offset));
    AppendBigEndian32(&key, index++);
    JsonWriter w;
    w.BeginObject().Field("sessionId", session).Field("direction", direction);
    for (auto field : v) w.RawField(field.key, simdjson::minify(field.value));
    w.Field("recordedAt", c.event.ts_ms).EndObject();
    c.batch.Put(Family(Table::kGuardrailViolations), key, EncodeValue(w.view()));
  }
  return Status::Ok();
}

}  // namespace

void RegisterGuardrailFolds(FoldTable& folds) {
  folds.On(EventType::kGuardrailRuleCreated, &FoldRuleCreated);
  folds.On(EventType::kGuardrailRuleUpdated, &FoldRuleUpdated);
  folds.On(EventType::kGuardrailViolationsRecorded, &FoldViolationsRecorded);
}

}  // namespace voxbase
