#include "schemas/text.h"

#include <algorithm>
#include <array>

namespace voxbase {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Sorted, for binary search.
constexpr std::array<std::string_view, 94> kStopwords = {
    "a",      "about", "after", "all",   "also",   "am",   "an",   "and",    "any",   "are",
    "as",     "at",    "be",    "been",  "being",  "but",  "by",   "can",    "could", "did",
    "do",     "does",  "doing", "for",   "from",   "get",  "got",  "had",    "has",   "have",
    "having", "he",    "her",   "here",  "him",    "his",  "how",  "i",      "if",    "in",
    "into",   "is",    "it",    "its",   "just",   "me",   "my",   "no",     "not",   "of",
    "on",     "or",    "our",   "out",   "please", "s",    "she",  "should", "so",    "some",
    "such",   "than",  "that",  "the",   "their",  "them", "then", "there",  "these", "they",
    "this",   "those", "to",    "too",   "up",     "us",   "very", "was",    "we",    "were",
    "what",   "when",  "where", "which", "while",  "who",  "whom", "why",    "will",  "with",
    "would",  "you",   "your",  "yours"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

static_assert(std::is_sorted(kStopwords.begin(), kStopwords.end()));

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsWordByte(c)) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool IsStopword(std::string_view word) {
  return std::binary_search(kStopwords.begin(), kStopwords.end(), word);
}

std::string Stem(std::string_view w) {
  std::string s(w);
  if (s.size() <= 3) return s;
  if (EndsWith(s, "ies") && s.size() > 4) return s.substr(0, s.size() - 3) + "y";
  if (EndsWith(s, "ing") && s.size() > 5) {
    s.resize(s.size() - 3);
  } else if (EndsWith(s, "ed") && s.size() > 4) {
    s.resize(s.size() - 2);
  } else if (EndsWith(s, "es") && s.size() > 4 &&
             (EndsWith(s, "ses") || EndsWith(s, "xes") || EndsWith(s, "ches") ||
              EndsWith(s, "shes"))) {
    s.resize(s.size() - 2);
  } else if (EndsWith(s, "s") && !EndsWith(s, "ss") && !EndsWith(s, "us") && !EndsWith(s, "is")) {
    s.resize(s.size() - 1);
  }
  // "returning" → "return", "shipped" → "shipp" → "ship": undo a doubled final consonant.
  if (s.size() > 3 && s[s.size() - 1] == s[s.size() - 2] &&
      std::string_view("bdgmnprt").find(s.back()) != std::string_view::npos) {
    s.pop_back();
  }
  if (EndsWith(s, "e") && s.size() > 4) s.pop_back();  // "charge"/"charged" → "charg"
  return s;
}

std::vector<std::string> SearchTokens(std::string_view text) {
  std::vector<std::string> tokens;
  for (const std::string& w : Words(text)) {
    if (!IsStopword(w)) tokens.push_back(Stem(w));
  }
  return tokens;
}

std::string NormalizedQuestion(std::string_view text) {
  std::string out;
  for (const std::string& w : Words(text)) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

}  // namespace voxbase
