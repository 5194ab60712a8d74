// AppendMinified: appends a parsed JSON value to a string as compact JSON, byte for byte what
// simdjson::minify(value) returns (the same escapes, the same number forms, so rows folded by it
// equal rows folded before it), but written straight into the caller's string. simdjson's own
// builder goes through a std::vector<char> per call and a copy out of it; in a replay of
// session-log events it took ~17 % of the time. Stateless; thread-safe.
#pragma once

#include <simdjson.h>

#include <string>

namespace voxbase {

void AppendMinified(simdjson::dom::element value, std::string* out);

// The same for many values into one string (the items of an event): `out` holds spare room
// while this lives, and is trimmed to what was written when it is destroyed. Not thread-safe.
class MinifiedJson {
 public:
  explicit MinifiedJson(std::string* out);
  ~MinifiedJson();
  MinifiedJson(const MinifiedJson&) = delete;
  MinifiedJson& operator=(const MinifiedJson&) = delete;

  void Append(simdjson::dom::element value);
  size_t size() const { return at_; }  // of what `out` holds that is written

 private:
  // Writes through a pointer into the string's own storage, growing it ahead (doubling), and
  // trims it when done: std::string's append and push_back are calls into the library, one per
  // token.
  void Write(simdjson::dom::element value);
  void WriteString(std::string_view text);
  void Char(char c);
  void Bytes(const char* data, size_t n);
  void Bytes(std::string_view text) { Bytes(text.data(), text.size()); }
  template <typename Number>
  void Integer(Number value);
  void Double(double value);
  void Room(size_t n);
  void Grow(size_t n);

  std::string* s_;
  char* data_;
  size_t at_;   // the end of what is written
  size_t end_;  // the end of the room
};

}  // namespace voxbase
