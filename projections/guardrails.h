// guardrailRules (app id | rule id) and guardrailViolations
// (app id | session id | NUL | be64(ts) | event hex | be32 index), and the rule-set version
// (IndexKind::kGuardrailVersion) the folds bump on every change to an app's rules or persona, so
// the API knows when to compile its matchers again. Views are thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/rows.h"
#include "schemas/guardrail_rule.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct RuleRow {
  GuardrailRule rule;
  int64_t created_at = 0;
  int64_t updated_at = 0;

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<RuleRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string RuleKey(std::string_view app_id, std::string_view rule_id);
std::string GuardrailVersionKey(std::string_view app_id);
std::string ViolationPrefix(std::string_view app_id, std::string_view session_id);

class GuardrailsView {
 public:
  explicit GuardrailsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<RuleRow>> Rule(std::string_view app_id, std::string_view rule_id) const;
  // In the order they were created.
  // Every rule of the app, in the order they were made (the matcher needs them all; the list
  // route pages over them).
  Result<std::vector<RuleRow>> Rules(std::string_view app_id) const;
  Result<int64_t> Version(std::string_view app_id) const;
  Result<Page> Violations(std::string_view app_id, std::string_view session_id, size_t limit,
                          std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
