#include "ingest/guardrails.h"

#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

constexpr size_t kMaxPatternBytes = 8 * 1024;
constexpr size_t kMaxPersonaFieldBytes = 4 * 1024;

std::string RuleIdForEvent(std::string_view event_id) {
  return "gr_" + std::string(EventIdSuffix(event_id));
}

// An excerpt around the match, on UTF-8 character boundaries.
std::string Excerpt(std::string_view content, int64_t start, int64_t end) {
  size_t from = start < 0 ? 0 : static_cast<size_t>(start);
  size_t to = end < 0 ? std::min(content.size(), kMaxViolationExcerptBytes)
                      : std::min(content.size(), std::max(static_cast<size_t>(end),
                                                          from + kMaxViolationExcerptBytes / 2));
  if (to - from > kMaxViolationExcerptBytes) to = from + kMaxViolationExcerptBytes;
  auto continuation = [&](size_t i) {
    return i < content.size() && (static_cast<unsigned char>(content[i]) & 0xc0) == 0x80;
  };
  while (from > 0 && continuation(from)) --from;
  while (to < content.size() && continuation(to)) --to;
  return std::string(content.substr(from, to - from));
}

}  // namespace

Result<RuleCommand> BuildRuleCreated(const CommandInput& in) {
  std::optional<std::string_view> name, type, pattern, action, direction, pack;
  std::optional<bool> enabled;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "name", Presence::kRequired, 256, &name));
  VOX_RETURN_IF_ERROR(ReadWord(in.body, "pack", Presence::kOptional, kGuardrailPacks, &pack));
  const Presence needed = pack ? Presence::kOptional : Presence::kRequired;
  VOX_RETURN_IF_ERROR(ReadWord(in.body, "type", needed, kGuardrailTypes, &type));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "pattern", needed, kMaxPatternBytes, &pattern));
  VOX_RETURN_IF_ERROR(ReadWord(in.body, "action", Presence::kRequired, kGuardrailActions, &action));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "direction", Presence::kOptional, kGuardrailDirections, &direction));
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "enabled", Presence::kOptional, &enabled));
  std::string rule_type(type.value_or(""));
  if (pack) {
    if (type && *type != PackType(*pack)) {
      return InvalidArgument("pack " + std::string(*pack) + " is a " +
                             std::string(PackType(*pack)) + " rule");
    }
    rule_type = std::string(PackType(*pack));
  }
  VOX_RETURN_IF_ERROR(CheckGuardrailPattern(rule_type, pattern.value_or(""), pack.value_or("")));
  const std::string id = RuleIdForEvent(in.event_id);
  JsonWriter w;
  w.BeginObject()
      .Field("ruleId", id)
      .Field("name", *name)
      .Field("type", rule_type)
      .Field("pattern", pattern.value_or(pack.value_or("")))
      .Field("action", *action)
      .Field("direction", direction.value_or("both"))
      .Field("enabled", enabled.value_or(true))
      .Field("pack", pack.value_or(""))
      .EndObject();
  return RuleCommand{NewEvent(in, EventType::kGuardrailRuleCreated, w.str()), id};
}

Result<RuleCommand> BuildRuleUpdated(const CommandInput& in) {
  std::optional<std::string_view> id, name, pattern, action, direction;
  std::optional<bool> enabled;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "ruleId", Presence::kRequired, 64, &id));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "name", Presence::kOptional, 256, &name));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "pattern", Presence::kOptional, kMaxPatternBytes, &pattern));
  VOX_RETURN_IF_ERROR(ReadWord(in.body, "action", Presence::kOptional, kGuardrailActions, &action));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "direction", Presence::kOptional, kGuardrailDirections, &direction));
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "enabled", Presence::kOptional, &enabled));
  if (!name && !pattern && !action && !direction && !enabled) {
    return InvalidArgument("nothing to change: give name, pattern, action, direction or enabled");
  }
  JsonWriter w;
  w.BeginObject().Field("ruleId", *id);
  if (name) w.Field("name", *name);
  if (pattern) w.Field("pattern", *pattern);
  if (action) w.Field("action", *action);
  if (direction) w.Field("direction", *direction);
  if (enabled) w.Field("enabled", *enabled);
  w.EndObject();
  return RuleCommand{NewEvent(in, EventType::kGuardrailRuleUpdated, w.str()), std::string(*id)};
}

Result<CheckRequest> ReadCheckRequest(const CommandInput& in) {
  std::optional<std::string_view> session_id, content, direction;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, "", &session_id));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "content", Presence::kRequired, kMaxCheckedContentBytes, &content));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "direction", Presence::kOptional, kCheckDirections, &direction));
  return CheckRequest{std::string(*session_id), std::string(*content),
                      std::string(direction.value_or("input"))};
}

Event BuildViolationsRecorded(const CommandInput& in, const CheckRequest& request,
                              const GuardrailResult& result) {
  JsonWriter w;
  w.BeginObject()
      .Field("sessionId", request.session_id)
      .Field("direction", request.direction)
      .Key("violations")
      .BeginArray();
  for (const GuardrailViolation& v : result.violations) {
    w.BeginObject()
        .Field("ruleId", v.rule->rule_id)
        .Field("name", v.rule->name)
        .Field("type", v.rule->type)
        .Field("action", v.rule->action)
        .Field("start", v.start)
        .Field("end", v.end)
        .Field("excerpt", Excerpt(request.content, v.start, v.end))
        .EndObject();
  }
  w.EndArray().EndObject();
  return NewEvent(in, EventType::kGuardrailViolationsRecorded, w.str());
}

Result<Event> BuildPersonaUpdated(const CommandInput& in) {
  static constexpr std::string_view kFields[] = {"personaName", "personaTone", "personaGreeting",
                                                 "preferredTerms", "blockedTerms"};
  JsonWriter w;
  w.BeginObject();
  bool any = false;
  for (std::string_view field : kFields) {
    std::optional<std::string_view> value;
    VOX_RETURN_IF_ERROR(
        ReadString(in.body, field, Presence::kOptional, kMaxPersonaFieldBytes, &value));
    if (!value) continue;
    w.Field(field, *value);
    any = true;
  }
  w.EndObject();
  if (!any) {
    return InvalidArgument(
        "nothing to change: give personaName, personaTone, personaGreeting, preferredTerms or "
        "blockedTerms");
  }
  return NewEvent(in, EventType::kPersonaUpdated, w.str());
}

GuardrailRule PersonaRule(std::string_view blocked_terms) {
  GuardrailRule rule;
  rule.rule_id = "persona.blockedTerms";
  rule.name = "persona blocked terms";
  rule.type = "blocked_topic";
  rule.pattern = std::string(blocked_terms);
  rule.action = "warn";
  rule.direction = "output";
  return rule;
}

}  // namespace voxbase
