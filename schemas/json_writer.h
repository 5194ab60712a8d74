// JsonWriter: builds one JSON document into a string, on RapidJSON's Writer.
//
// Strings are escaped by RapidJSON; Raw() splices in text that is already valid JSON (a stored
// projection value, a payload parsed and minified by simdjson). Misuse (a key outside an object)
// is a programming error caught by RapidJSON's assertions. Not thread-safe; one per document.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace voxbase {

class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& BeginObject() { return Done(writer_.StartObject()); }
  JsonWriter& EndObject() { return Done(writer_.EndObject()); }
  JsonWriter& BeginArray() { return Done(writer_.StartArray()); }
  JsonWriter& EndArray() { return Done(writer_.EndArray()); }
  JsonWriter& Key(std::string_view k) {
    return Done(writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())));
  }
  JsonWriter& String(std::string_view s) {
    return Done(writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())));
  }
  JsonWriter& Int(int64_t v) { return Done(writer_.Int64(v)); }
  JsonWriter& Double(double v) { return Done(writer_.Double(v)); }
  JsonWriter& Bool(bool v) { return Done(writer_.Bool(v)); }
  JsonWriter& Null() { return Done(writer_.Null()); }
  // `json` must be one complete, valid JSON value.
  // RapidJSON copies a raw value a byte at a time (a fifth of a 50-row page's serving time): it
  // writes only the separator here, and the value is copied whole.
  JsonWriter& Raw(std::string_view json) {
    writer_.RawValue("", 0, rapidjson::kObjectType);
    if (!json.empty()) std::memcpy(buffer_.Push(json.size()), json.data(), json.size());
    return *this;
  }

  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }
  JsonWriter& Field(std::string_view k, double v) { return Key(k).Double(v); }
  JsonWriter& RawField(std::string_view k, std::string_view json) { return Key(k).Raw(json); }

  std::string_view view() const { return {buffer_.GetString(), buffer_.GetSize()}; }
  std::string str() const { return std::string(view()); }

 private:
  JsonWriter& Done(bool) { return *this; }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// {"error": message}, the body of every error answer.
std::string ErrorJson(std::string_view message);

}  // namespace voxbase
