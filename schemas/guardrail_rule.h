// GuardrailRule: one guardrail rule as stored (projections/guardrails.h) and as compiled
// (ingest/guardrail_matcher.h). A value type.
#pragma once

#include <string>

namespace voxbase {

struct GuardrailRule {
  std::string rule_id;
  std::string name;
  std::string type;       // kGuardrailTypes
  std::string pattern;    // keywords, indicators or a regex; a pack's name for a pack rule
  std::string action;     // block, warn, log
  std::string direction;  // input, output, both
  std::string pack;       // empty, or a pack name
  bool enabled = true;
};

}  // namespace voxbase
