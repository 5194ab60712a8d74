// Guardrail and experiment benchmarks, one core, in-process:
//   a check of 1 KB of text against 200 rules (keywords of every type, regexes, both packs);
//   rebuilding the compiled rule set of 200 rules (what a rule change costs);
//   variant assignments per second.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ingest/experiments.h"
#include "ingest/guardrail_matcher.h"

namespace voxbase {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<GuardrailRule> TwoHundredRules() {
  std::vector<GuardrailRule> rules;
  const char* types[] = {"blocked_topic", "topic_boundary", "jailbreak_detection", "pii_filter"};
  for (int i = 0; i < 198; ++i) {
    GuardrailRule r;
    r.rule_id = "r" + std::to_string(i);
    r.name = r.rule_id;
    r.type = types[i % 4];
    r.action = i % 3 == 0 ? "block" : "warn";
    r.direction = "both";
    if (r.type == "pii_filter") {
      r.pattern = "ID-" + std::to_string(1000 + i) + "-[0-9]{4}";
    } else {
      r.pattern = "topic" + std::to_string(i) + "a, topic" + std::to_string(i) + "b, two words " +
                  std::to_string(i);
    }
    rules.push_back(r);
  }
  rules.push_back({"pii", "pii", "pii_filter", "pii-basic", "warn", "both", "pii-basic", true});
  rules.push_back({"jb", "jb", "jailbreak_detection", "jailbreak-basic", "block", "both",
                   "jailbreak-basic", true});
  return rules;
}

std::string OneKilobyte() {
  std::string text;
  const char* words[] = {"my",      "order",    "hasn't", "arrived", "yet,",
                         "can",     "you",      "check",  "the",     "status",
                         "please?", "I",        "wrote",  "to",      "ann@example.com",
                         "about",   "topic17b", "earlier"};
  for (size_t i = 0; text.size() < 1024; ++i) {
    text += words[i % (sizeof(words) / sizeof(words[0]))];
    text += ' ';
  }
  text.resize(1024);
  return text;
}

}  // namespace
}  // namespace voxbase

int main() {
  using namespace voxbase;
  const std::vector<GuardrailRule> rules = TwoHundredRules();
  // Rebuild cost: compile the 200-rule set for one direction.
  constexpr int kBuilds = 50;
  auto start = Clock::now();
  std::shared_ptr<const GuardrailMatcher> matcher;
  for (int i = 0; i < kBuilds; ++i) matcher = GuardrailMatcher::Build(rules, "input").value();
  double build_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kBuilds;
  std::printf("rebuild: 200 rules (%zu patterns) compiled in %.2f ms\n", matcher->pattern_count(),
              build_ms);

  const std::string text = OneKilobyte();
  constexpr int kChecks = 20000;
  size_t violations = 0;
  start = Clock::now();
  for (int i = 0; i < kChecks; ++i) violations += matcher->Check(text).violations.size();
  double check_us =
      std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kChecks;
  std::printf("check: 1 KB against 200 rules: %.2f us per check (%zu violations each)\n", check_us,
              violations / kChecks);

  // A pattern that backtracks catastrophically in other engines.
  GuardrailRule evil{"evil", "evil", "pii_filter", "(a+)+$", "block", "both", "", true};
  auto evil_matcher = GuardrailMatcher::Build({evil}, "input").value();
  const std::string evil_text = std::string(30, 'a') + "b";
  constexpr int kEvil = 10000;
  start = Clock::now();
  size_t evil_hits = 0;
  for (int i = 0; i < kEvil; ++i) evil_hits += evil_matcher->Check(evil_text).violations.size();
  std::printf("backtracking pattern (a+)+$ on 30 a's and a b: %.2f us per check (%zu matches)\n",
              std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kEvil,
              evil_hits);

  const std::vector<VariantWeight> weights = {{"a", 70}, {"b", 20}, {"c", 10}};
  constexpr int kAssignments = 1000000;
  size_t a = 0;
  start = Clock::now();
  for (int i = 0; i < kAssignments; ++i) {
    a += AssignVariant("exp_0123456789abcdef", "ses_" + std::to_string(i), weights) == "a";
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("assign: %.0f assignments/s (the hash and the pick; %.3f in variant a)\n",
              kAssignments / seconds, static_cast<double>(a) / kAssignments);
  return 0;
}
