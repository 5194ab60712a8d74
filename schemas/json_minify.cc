#include "schemas/json_minify.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace voxbase {
namespace {

// The characters simdjson escapes: the control characters, '"' and '\'.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<size_t>(c)] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

}  // namespace

inline void MinifiedJson::Room(size_t n) {
  if (end_ - at_ < n) Grow(n);
}

[[gnu::noinline]] void MinifiedJson::Grow(size_t n) {
  s_->resize(std::max(s_->size() * 2, at_ + n + 4096));
  data_ = s_->data();
  end_ = s_->size();
}

inline void MinifiedJson::Char(char c) {
  Room(1);
  data_[at_++] = c;
}

inline void MinifiedJson::Bytes(const char* data, size_t n) {
  Room(n);
  std::memcpy(data_ + at_, data, n);
  at_ += n;
}

template <typename Number>
void MinifiedJson::Integer(Number value) {
  Room(24);
  at_ = static_cast<size_t>(std::to_chars(data_ + at_, data_ + at_ + 24, value).ptr - data_);
}

void MinifiedJson::Double(double value) {
  Room(32);
  // simdjson's minify formats doubles with this (shortest round-trip) routine.
  at_ = static_cast<size_t>(simdjson::internal::to_chars(data_ + at_, nullptr, value) - data_);
}

void MinifiedJson::WriteString(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  Char('"');
  size_t run = 0;  // start of the characters not yet written
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    Bytes(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        Bytes("\\\"");
        break;
      case '\\':
        Bytes("\\\\");
        break;
      case '\b':
        Bytes("\\b");
        break;
      case '\t':
        Bytes("\\t");
        break;
      case '\n':
        Bytes("\\n");
        break;
      case '\f':
        Bytes("\\f");
        break;
      case '\r':
        Bytes("\\r");
        break;
      default: {
        const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        Bytes(escaped, sizeof(escaped));
      }
    }
  }
  Bytes(text.data() + run, text.size() - run);
  Char('"');
}

void MinifiedJson::Write(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      Char('{');
      bool first = true;
      for (simdjson::dom::key_value_pair field : simdjson::dom::object(value)) {
        if (!first) Char(',');
        first = false;
        WriteString(field.key);
        Char(':');
        Write(field.value);
      }
      Char('}');
      return;
    }
    case element_type::ARRAY: {
      Char('[');
      bool first = true;
      for (simdjson::dom::element item : simdjson::dom::array(value)) {
        if (!first) Char(',');
        first = false;
        Write(item);
      }
      Char(']');
      return;
    }
    case element_type::STRING:
      WriteString(std::string_view(value));
      return;
    case element_type::INT64:
      Integer(int64_t(value));
      return;
    case element_type::UINT64:
      Integer(uint64_t(value));
      return;
    case element_type::DOUBLE:
      Double(double(value));
      return;
    case element_type::BOOL:
      Bytes(bool(value) ? std::string_view("true") : std::string_view("false"));
      return;
    case element_type::NULL_VALUE:
      Bytes("null");
      return;
  }
}

MinifiedJson::MinifiedJson(std::string* out)
    : s_(out), data_(out->data()), at_(out->size()), end_(out->size()) {}
MinifiedJson::~MinifiedJson() { s_->resize(at_); }
void MinifiedJson::Append(simdjson::dom::element value) { Write(value); }

void AppendMinified(simdjson::dom::element value, std::string* out) {
  MinifiedJson(out).Append(value);
}

}  // namespace voxbase
