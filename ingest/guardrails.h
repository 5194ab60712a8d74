// Guardrails and the persona: rules created (POST) and changed (PATCH), the check of a piece of
// content with the violations it records, and the persona fields of an app (PATCH
// /api/persona). Thread-safe.
#pragma once

#include "ingest/command.h"
#include "ingest/guardrail_matcher.h"

namespace voxbase {

inline constexpr size_t kMaxCheckedContentBytes = 32 * 1024;
inline constexpr size_t kMaxViolationExcerptBytes = 200;

struct RuleCommand {
  Event event;
  std::string rule_id;
};

// POST /api/guardrails/rules {name, type, pattern, action, direction, enabled, pack}.
Result<RuleCommand> BuildRuleCreated(const CommandInput& in);
// PATCH /api/guardrails/rules {ruleId, …fields}.
Result<RuleCommand> BuildRuleUpdated(const CommandInput& in);

struct CheckRequest {
  std::string session_id;
  std::string content;
  std::string direction;
};
Result<CheckRequest> ReadCheckRequest(const CommandInput& in);

// The event that records a check's violations (only built when there are some).
Event BuildViolationsRecorded(const CommandInput& in, const CheckRequest& request,
                              const GuardrailResult& result);

// PATCH /api/persona: the fields named; "" clears one.
Result<Event> BuildPersonaUpdated(const CommandInput& in);

// The persona's blocked terms as a rule: output direction, action warn.
GuardrailRule PersonaRule(std::string_view blocked_terms);

}  // namespace voxbase
