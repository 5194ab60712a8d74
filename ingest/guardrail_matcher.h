// GuardrailMatcher: an app's enabled guardrail rules for one direction, compiled once into one
// RE2::Set (one pass over the content finds every rule that matches) plus one RE2 per pattern for
// the matched spans. RE2 runs in linear time, so no user pattern can hang the server.
//
// Rule types: blocked_topic and topic_boundary take comma-separated keywords, jailbreak_detection
// comma-separated indicators — matched case-insensitively on word boundaries ("acme" matches
// "ACME's", not "acmeville"); pii_filter takes a regex. topic_boundary is violated when the
// content touches none of its keywords. Packs (a rule's `pack`): "pii-basic" (email, phone in
// E.164 and North-American forms, US SSN, card numbers that pass Luhn, IBANs that pass mod 97)
// and "jailbreak-basic" (common prompt-injection phrasings).
//
// Immutable once built; Check() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/guardrail_rule.h"
#include "schemas/status.h"

namespace re2 {
class RE2;
class RE2Set;
}  // namespace re2

namespace voxbase {

struct GuardrailViolation {
  const GuardrailRule* rule = nullptr;
  int64_t start = -1;  // byte offsets of the first match; -1 for a topic_boundary miss
  int64_t end = -1;
};

struct GuardrailResult {
  bool allowed = true;
  std::vector<GuardrailViolation> violations;
  bool redacted = false;      // some pii_filter rule matched
  std::string redacted_text;  // the content with each PII match replaced by [REDACTED]
};

class GuardrailMatcher {
 public:
  // Rules whose direction covers `direction` and that are enabled. Fails only on a pattern RE2
  // refuses (rules are checked when created, so that is a stored rule gone bad).
  static Result<std::shared_ptr<const GuardrailMatcher>> Build(std::vector<GuardrailRule> rules,
                                                               std::string_view direction);
  ~GuardrailMatcher();

  GuardrailResult Check(std::string_view content) const;
  size_t pattern_count() const;

 private:
  GuardrailMatcher();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// OK when a rule of `type` with `pattern` (or `pack`) would compile; else InvalidArgument with
// RE2's message.
Status CheckGuardrailPattern(std::string_view type, std::string_view pattern,
                             std::string_view pack);

// The type a pack's rules have ("pii_filter" for pii-basic); empty for an unknown pack.
std::string_view PackType(std::string_view pack);

}  // namespace voxbase
