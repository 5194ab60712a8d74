// JsonSchema: a tool's parametersSchema, compiled once (valijson, draft 7), and the check of a
// call's parameters against it — type, required, enum, properties, items, nested objects and
// arrays, minimum/maximum, minLength/maxLength, additionalProperties and the rest of draft 7.
//
// Every regular expression runs on RE2, in time linear in the input: `pattern`,
// `patternProperties` and the `date`, `time` and `date-time` formats are taken out of the schema
// before valijson parses it (valijson 1.0 would run them on std::regex, which backtracks and
// recurses per character: a 20,000-character string overflows the stack) and checked by
// constraints of ours. A pattern RE2 refuses (backreferences, lookaround) refuses the schema with
// its text named. Bounds: the schema at most 64 KiB and 32 levels deep, at most 64 patterns of at
// most 1024 bytes each, 1 MiB of RE2 program memory each.
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

  struct Impl;  // defined in the .cc; public so the constraints there can name it

 private:
  JsonSchema();
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
