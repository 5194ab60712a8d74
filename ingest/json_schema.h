// JsonSchema: a tool's parametersSchema, compiled once (valijson, draft 7), and the check of a
// call's parameters against it — type, required, enum, properties, items, nested objects and
// arrays, minimum/maximum, minLength/maxLength, additionalProperties and the rest of draft 7.
//
// A failure names the path of the first error ("parameters.items[2].sku: …"). SchemaCache keeps
// compiled schemas by their text, so a tool's schema is compiled once, not per call; bounded.
// Compiled schemas are immutable and thread-safe; so is the cache.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "schemas/status.h"

namespace voxbase {

class JsonSchema {
 public:
  // Refuses anything but a JSON object schema of "type": "object" (what a function's parameters
  // must be for OpenAI and Gemini), and any schema valijson cannot parse.
  static Result<std::shared_ptr<const JsonSchema>> Compile(std::string_view schema_json);
  ~JsonSchema();

  // OK when `instance_json` satisfies the schema; else InvalidArgument with the path of the first
  // error under `root_name`.
  Status Validate(std::string_view instance_json, std::string_view root_name) const;

 private:
  JsonSchema();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class SchemaCache {
 public:
  Result<std::shared_ptr<const JsonSchema>> Get(const std::string& schema_json);

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const JsonSchema>> compiled_;  // guarded by mu_
};

}  // namespace voxbase
