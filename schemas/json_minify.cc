#include "schemas/json_minify.h"

#include <array>
#include <charconv>
#include <cstring>
#include <memory>

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

// Writes through a pointer into the string's own storage, growing it ahead (doubling), and trims
// it when done: std::string's append and push_back are calls into the library, one per token.
class MinifiedJson::Out {
 public:
  explicit Out(std::string* s) : s_(s), data_(s->data()), at_(s->size()), end_(s->size()) {}
  void Trim() { s_->resize(at_); }
  size_t size() const { return at_; }

  void Char(char c) {
    Room(1);
    data_[at_++] = c;
  }
  void Bytes(const char* data, size_t n) {
    Room(n);
    std::memcpy(data_ + at_, data, n);
    at_ += n;
  }
  void Bytes(std::string_view text) { Bytes(text.data(), text.size()); }
  template <typename Number>
  void Integer(Number value) {
    Room(24);
    at_ = static_cast<size_t>(std::to_chars(data_ + at_, data_ + at_ + 24, value).ptr - data_);
  }
  void Double(double value) {
    Room(32);
    // simdjson's minify formats doubles with this (shortest round-trip) routine.
    at_ = static_cast<size_t>(simdjson::internal::to_chars(data_ + at_, nullptr, value) - data_);
  }

 private:
  void Room(size_t n) {
    if (end_ - at_ < n) Grow(n);
  }
  [[gnu::noinline]] void Grow(size_t n) {
    s_->resize(std::max(s_->size() * 2, at_ + n + 4096));
    data_ = s_->data();
    end_ = s_->size();
  }
  std::string* s_;
  char* data_;
  size_t at_;   // the end of what is written
  size_t end_;  // the end of the room
};

namespace {

using Out = MinifiedJson::Out;

void WriteString(std::string_view text, Out& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.Char('"');
  size_t run = 0;  // start of the characters not yet written
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    out.Bytes(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.Bytes("\\\"");
        break;
      case '\\':
        out.Bytes("\\\\");
        break;
      case '\b':
        out.Bytes("\\b");
        break;
      case '\t':
        out.Bytes("\\t");
        break;
      case '\n':
        out.Bytes("\\n");
        break;
      case '\f':
        out.Bytes("\\f");
        break;
      case '\r':
        out.Bytes("\\r");
        break;
      default: {
        const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.Bytes(escaped, sizeof(escaped));
      }
    }
  }
  out.Bytes(text.data() + run, text.size() - run);
  out.Char('"');
}

void Write(simdjson::dom::element value, Out& out) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      out.Char('{');
      bool first = true;
      for (simdjson::dom::key_value_pair field : simdjson::dom::object(value)) {
        if (!first) out.Char(',');
        first = false;
        WriteString(field.key, out);
        out.Char(':');
        Write(field.value, out);
      }
      out.Char('}');
      return;
    }
    case element_type::ARRAY: {
      out.Char('[');
      bool first = true;
      for (simdjson::dom::element item : simdjson::dom::array(value)) {
        if (!first) out.Char(',');
        first = false;
        Write(item, out);
      }
      out.Char(']');
      return;
    }
    case element_type::STRING:
      WriteString(std::string_view(value), out);
      return;
    case element_type::INT64:
      out.Integer(int64_t(value));
      return;
    case element_type::UINT64:
      out.Integer(uint64_t(value));
      return;
    case element_type::DOUBLE:
      out.Double(double(value));
      return;
    case element_type::BOOL:
      out.Bytes(bool(value) ? std::string_view("true") : std::string_view("false"));
      return;
    case element_type::NULL_VALUE:
      out.Bytes("null");
      return;
  }
}

}  // namespace

MinifiedJson::MinifiedJson(std::string* out) : out_(std::make_unique<Out>(out)) {}
MinifiedJson::~MinifiedJson() { out_->Trim(); }
void MinifiedJson::Append(simdjson::dom::element value) { Write(value, *out_); }
size_t MinifiedJson::size() const { return out_->size(); }

void AppendMinified(simdjson::dom::element value, std::string* out) {
  MinifiedJson(out).Append(value);
}

}  // namespace voxbase
