#include "projections/guardrails.h"

#include <algorithm>

#include "projections/row_codec.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {

namespace {

constexpr auto kRuleFields =
    std::make_tuple(Required(Col("ruleId", &RuleRow::rule, &GuardrailRule::rule_id)),
                    Col("name", &RuleRow::rule, &GuardrailRule::name),
                    Col("type", &RuleRow::rule, &GuardrailRule::type),
                    Col("pattern", &RuleRow::rule, &GuardrailRule::pattern),
                    Col("action", &RuleRow::rule, &GuardrailRule::action),
                    Col("direction", &RuleRow::rule, &GuardrailRule::direction),
                    Col("enabled", &RuleRow::rule, &GuardrailRule::enabled),
                    Col("pack", &RuleRow::rule, &GuardrailRule::pack),
                    Col("createdAt", &RuleRow::created_at), Col("updatedAt", &RuleRow::updated_at));

}  // namespace

std::string RuleRow::ToJson() const { return RowJson(*this, kRuleFields); }

Result<RuleRow> RuleRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<RuleRow>(parser, stored, kVersion, kRuleFields, "guardrail rule");
}

std::string RuleKey(std::string_view app_id, std::string_view rule_id) {
  return std::string(app_id).append(rule_id);
}

std::string GuardrailVersionKey(std::string_view app_id) {
  return IndexPrefix(app_id, IndexKind::kGuardrailVersion);
}

std::string ViolationPrefix(std::string_view app_id, std::string_view session_id) {
  std::string key(app_id);
  key.append(session_id).push_back('\0');
  return key;
}

Result<std::optional<RuleRow>> GuardrailsView::Rule(std::string_view app_id,
                                                    std::string_view rule_id) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kGuardrailRules), RuleKey(app_id, rule_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<RuleRow>();
  thread_local simdjson::dom::parser parser;
  Result<RuleRow> row = RuleRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<RuleRow>(std::move(*row));
}

Result<std::vector<RuleRow>> GuardrailsView::Rules(std::string_view app_id) const {
  thread_local simdjson::dom::parser parser;
  std::vector<RuleRow> rules;
  auto it = store_.NewIterator(Family(Table::kGuardrailRules));
  for (it->Seek(app_id); it->Valid() && it->key().starts_with(app_id); it->Next()) {
    Result<RuleRow> row = RuleRow::Decode(parser, it->value());
    if (!row.ok()) return row.status();
    rules.push_back(std::move(*row));
  }
  VOX_RETURN_IF_ERROR(it->status());
  // Ids are random: list in the order the rules were made.
  std::stable_sort(rules.begin(), rules.end(),
                   [](const RuleRow& a, const RuleRow& b) { return a.created_at < b.created_at; });
  return rules;
}

Result<int64_t> GuardrailsView::Version(std::string_view app_id) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kIndexes), GuardrailVersionKey(app_id), &stored);
  if (!found.ok()) return found.status();
  return *found ? static_cast<int64_t>(ReadBigEndian64(stored)) : 0;
}

Result<Page> GuardrailsView::Violations(std::string_view app_id, std::string_view session_id,
                                        size_t limit, std::string_view cursor) const {
  return ScanPage(store_, Family(Table::kGuardrailViolations), app_id,
                  ViolationPrefix(app_id, session_id), limit, cursor, StoredRow(kValueVersion),
                  SIZE_MAX);
}

}  // namespace voxbase
