#include "ingest/guardrail_matcher.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>

namespace voxbase {
namespace {

// A match a pattern's regex finds that must also pass a check (a card's Luhn digit).
using Validate = bool (*)(std::string_view match);

bool Luhn(std::string_view match) {
  int sum = 0, digits = 0;
  bool twice = false;
  for (auto it = match.rbegin(); it != match.rend(); ++it) {
    if (*it == ' ' || *it == '-') continue;
    int d = *it - '0';
    if (d < 0 || d > 9) return false;
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
    ++digits;
  }
  return digits >= 13 && digits <= 19 && sum % 10 == 0;
}

bool Iban(std::string_view match) {
  std::string s;
  for (char c : match) {
    if (c != ' ') s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (s.size() < 15 || s.size() > 34) return false;
  std::rotate(s.begin(), s.begin() + 4, s.end());
  int remainder = 0;
  for (char c : s) {
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'A' + 10;
    if (v < 0 || v > 35) return false;
    remainder = (v > 9 ? remainder * 100 + v : remainder * 10 + v) % 97;
  }
  return remainder == 1;
}

struct PackPattern {
  std::string_view regex;
  Validate validate;
};

const std::vector<PackPattern>& PiiBasic() {
  static const std::vector<PackPattern> kPatterns = {
      {R"((?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b)", nullptr},                   // email
      {R"(\+[1-9]\d{7,14}\b)", nullptr},                                               // E.164
      {R"((?:\b|\+)(?:1[-. ]?)?\(?\b[2-9]\d{2}\)?[-. ]?\d{3}[-. ]\d{4}\b)", nullptr},  // NANP
      {R"(\b\d{3}-\d{2}-\d{4}\b)", nullptr},                                           // US SSN
      {R"(\b(?:\d[ -]?){12,18}\d\b)", &Luhn},                                         // card number
      {R"((?i)\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?\b)", &Iban},  // IBAN
  };
  return kPatterns;
}

const std::vector<PackPattern>& JailbreakBasic() {
  static const std::vector<PackPattern> kPatterns = {
      {R"((?i)\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier)\s+(?:instructions|prompts?|rules|directions)\b)",
       nullptr},
      {R"((?i)\b(?:ignore|disregard|forget|override)\s+(?:the\s+|your\s+)*(?:system\s+prompt|system\s+message|guidelines|safety\s+rules)\b)",
       nullptr},
      {R"((?i)\b(?:reveal|show|print|repeat|tell\s+me)\s+(?:me\s+)?(?:the\s+|your\s+)*(?:system\s+prompt|hidden\s+instructions|initial\s+instructions)\b)",
       nullptr},
      {R"((?i)\byou\s+are\s+now\s+(?:dan|in\s+developer\s+mode|unrestricted|unfiltered|jailbroken)\b)",
       nullptr},
      {R"((?i)\b(?:do\s+anything\s+now|developer\s+mode\s+enabled|jailbreak(?:ed)?)\b)", nullptr},
      {R"((?i)\b(?:pretend|act|behave)\s+(?:to\s+be\s+|as\s+(?:if\s+you\s+(?:were|are)\s+)?|like\s+)(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|evil)\b)",
       nullptr},
      {R"((?i)\bwithout\s+any\s+(?:restrictions|filters|limitations)\b)", nullptr},
  };
  return kPatterns;
}

const std::vector<PackPattern>* Pack(std::string_view pack) {
  if (pack == "pii-basic") return &PiiBasic();
  if (pack == "jailbreak-basic") return &JailbreakBasic();
  return nullptr;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// "acme corp" → (?i)\bacme\s+corp\b: literal, any whitespace between words, word boundaries
// where the keyword starts or ends with a word character.
std::string KeywordRegex(std::string_view keyword) {
  std::string out = "(?i)";
  if (IsWordChar(keyword.front())) out += "\\b";
  bool space = false;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out += RE2::QuoteMeta(word);
    word.clear();
  };
  for (char c : keyword) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) {
      flush();
      out += "\\s+";
      space = false;
    }
    word.push_back(c);
  }
  flush();
  if (IsWordChar(keyword.back())) out += "\\b";
  return out;
}

std::vector<std::string> SplitKeywords(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view one = list.substr(0, comma);
    while (!one.empty() && std::isspace(static_cast<unsigned char>(one.front())))
      one.remove_prefix(1);
    while (!one.empty() && std::isspace(static_cast<unsigned char>(one.back())))
      one.remove_suffix(1);
    if (!one.empty()) out.emplace_back(one);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

bool IsKeywordType(std::string_view type) {
  return type == "blocked_topic" || type == "topic_boundary" || type == "jailbreak_detection";
}

// Every regex a rule stands for, with its validator.
std::vector<PackPattern> RulePatterns(const GuardrailRule& rule,
                                      std::vector<std::string>* storage) {
  std::vector<PackPattern> out;
  if (const std::vector<PackPattern>* pack = Pack(rule.pack)) return *pack;
  if (IsKeywordType(rule.type)) {
    for (const std::string& k : SplitKeywords(rule.pattern)) storage->push_back(KeywordRegex(k));
  } else {
    storage->push_back(rule.pattern);
  }
  for (const std::string& r : *storage) out.push_back({r, nullptr});
  return out;
}

RE2::Options MatcherOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  return options;
}

}  // namespace

struct GuardrailMatcher::Impl {
  struct Pattern {
    size_t rule;
    std::unique_ptr<RE2> re;
    Validate validate;
  };
  std::vector<GuardrailRule> rules;
  std::vector<Pattern> patterns;
  std::unique_ptr<RE2::Set> set;
};

GuardrailMatcher::GuardrailMatcher() : impl_(std::make_unique<Impl>()) {}
GuardrailMatcher::~GuardrailMatcher() = default;
size_t GuardrailMatcher::pattern_count() const { return impl_->patterns.size(); }

std::string_view PackType(std::string_view pack) {
  if (pack == "pii-basic") return "pii_filter";
  if (pack == "jailbreak-basic") return "jailbreak_detection";
  return {};
}

Status CheckGuardrailPattern(std::string_view type, std::string_view pattern,
                             std::string_view pack) {
  if (!pack.empty()) {
    if (Pack(pack) == nullptr) {
      return InvalidArgument("pack must be one of pii-basic, jailbreak-basic");
    }
    return Status::Ok();
  }
  if (IsKeywordType(type)) {
    if (SplitKeywords(pattern).empty()) {
      return InvalidArgument("pattern must list at least one comma-separated keyword");
    }
    return Status::Ok();
  }
  RE2 re(std::string(pattern), MatcherOptions());
  if (!re.ok()) return InvalidArgument("pattern is not a valid RE2 regex: " + re.error());
  return Status::Ok();
}

Result<std::shared_ptr<const GuardrailMatcher>> GuardrailMatcher::Build(
    std::vector<GuardrailRule> rules, std::string_view direction) {
  std::shared_ptr<GuardrailMatcher> matcher(new GuardrailMatcher());
  Impl& m = *matcher->impl_;
  for (GuardrailRule& rule : rules) {
    if (rule.enabled && (rule.direction == direction || rule.direction == "both")) {
      m.rules.push_back(std::move(rule));
    }
  }
  m.set = std::make_unique<RE2::Set>(MatcherOptions(), RE2::UNANCHORED);
  for (size_t r = 0; r < m.rules.size(); ++r) {
    std::vector<std::string> storage;
    for (const PackPattern& p : RulePatterns(m.rules[r], &storage)) {
      std::string error;
      if (m.set->Add(p.regex, &error) < 0) {
        return InvalidArgument("rule " + m.rules[r].rule_id + ": " + error);
      }
      auto re = std::make_unique<RE2>(p.regex, MatcherOptions());
      if (!re->ok()) return InvalidArgument("rule " + m.rules[r].rule_id + ": " + re->error());
      m.patterns.push_back({r, std::move(re), p.validate});
    }
  }
  if (!m.patterns.empty() && !m.set->Compile()) {
    return InvalidArgument("the guardrail rules do not fit in memory as one set");
  }
  return std::shared_ptr<const GuardrailMatcher>(std::move(matcher));
}

GuardrailResult GuardrailMatcher::Check(std::string_view content) const {
  const Impl& m = *impl_;
  GuardrailResult result;
  std::vector<int> hits;
  if (!m.patterns.empty()) m.set->Match(content, &hits);
  std::sort(hits.begin(), hits.end());
  std::vector<bool> rule_hit(m.rules.size(), false);
  std::vector<std::pair<int64_t, int64_t>> first_span(m.rules.size(), {-1, -1});
  std::vector<std::pair<size_t, size_t>> redactions;
  for (int hit : hits) {
    const Impl::Pattern& p = m.patterns[static_cast<size_t>(hit)];
    const GuardrailRule& rule = m.rules[p.rule];
    const bool pii = rule.type == "pii_filter";
    re2::StringPiece input(content.data(), content.size()), match;
    size_t at = 0;
    while (at <= content.size() &&
           p.re->Match(input, at, content.size(), RE2::UNANCHORED, &match, 1)) {
      size_t start = static_cast<size_t>(match.data() - content.data());
      size_t end = start + match.size();
      if (p.validate == nullptr || p.validate(std::string_view(match.data(), match.size()))) {
        if (!rule_hit[p.rule] || static_cast<int64_t>(start) < first_span[p.rule].first) {
          first_span[p.rule] = {static_cast<int64_t>(start), static_cast<int64_t>(end)};
        }
        rule_hit[p.rule] = true;
        if (!pii) break;  // one span names the violation; only PII is redacted everywhere
        redactions.emplace_back(start, end);
      }
      at = end > start ? end : start + 1;
    }
  }
  for (size_t r = 0; r < m.rules.size(); ++r) {
    const GuardrailRule& rule = m.rules[r];
    const bool boundary = rule.type == "topic_boundary";
    if (boundary == rule_hit[r]) continue;  // a boundary is violated when none of it matched
    result.violations.push_back({&rule, first_span[r].first, first_span[r].second});
    if (rule.action == "block") result.allowed = false;
  }
  if (!redactions.empty()) {
    std::sort(redactions.begin(), redactions.end());
    result.redacted = true;
    size_t copied = 0;
    for (const auto& [start, end] : redactions) {
      if (end <= copied) continue;
      if (start > copied) result.redacted_text.append(content.substr(copied, start - copied));
      if (start >= copied) result.redacted_text.append("[REDACTED]");
      copied = end;
    }
    result.redacted_text.append(content.substr(copied));
  }
  return result;
}

}  // namespace voxbase
