#include "ingest/upstream_text.h"

#include <re2/re2.h>
#include <simdjson.h>

namespace voxbase {
namespace {

constexpr size_t kMaxUpstreamMessage = 300;

bool KeyLike(std::string_view word) {
  for (std::string_view prefix : {"sk-", "sk_", "pk_", "rk_", "AIza", "eyJ", "ghp_", "xox"}) {
    if (word.size() >= 8 && word.starts_with(prefix)) return true;
  }
  if (word.size() < 16) return false;
  bool letter = false, digit = false;
  for (char c : word) {
    letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    digit = digit || (c >= '0' && c <= '9');
  }
  return letter && digit;
}

bool KeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '+' || c == '/' || c == '=' || c == '.';
}

}  // namespace

std::string MaskCredentials(std::string_view text) {
  std::string bearer_masked(text);
  static const RE2 kBearer(R"((?i)\b(bearer|basic)\s+[^\s"',;]*[^\s"',;.])");
  RE2::GlobalReplace(&bearer_masked, kBearer, R"(\1 ***)");
  std::string out;
  out.reserve(bearer_masked.size());
  for (size_t i = 0; i < bearer_masked.size();) {
    if (!KeyChar(bearer_masked[i])) {
      out.push_back(bearer_masked[i++]);
      continue;
    }
    size_t end = i;
    while (end < bearer_masked.size() && KeyChar(bearer_masked[end])) ++end;
    while (end > i + 1 && bearer_masked[end - 1] == '.') --end;  // a sentence's full stop
    std::string_view word(bearer_masked.data() + i, end - i);
    out.append(KeyLike(word) ? std::string_view("***") : word);
    i = end;
  }
  return out;
}

std::string UpstreamText(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message = body;
  if (!parser.parse(body.data(), body.size()).get(root)) {
    std::string_view found;
    if (!root["error"]["message"].get(found) || !root["error"].get(found)) message = found;
  }
  return MaskCredentials(message.substr(0, kMaxUpstreamMessage));
}

}  // namespace voxbase
