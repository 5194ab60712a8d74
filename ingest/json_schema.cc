#include "ingest/json_schema.h"

#define VALIJSON_USE_EXCEPTIONS 1
// valijson's adapter must come before any RapidJSON header.
#include <valijson/adapters/rapidjson_adapter.hpp>
// clang-format off
#include <rapidjson/document.h>
// clang-format on
#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace voxbase {
namespace {

constexpr size_t kMaxSchemaDepth = 32;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); });
}

// valijson's context ["<root>", "[items]", "[2]", "[sku]"] as "root.items[2].sku".
std::string PathOf(const std::vector<std::string>& context, std::string_view root) {
  std::string path(root);
  for (size_t i = 1; i < context.size(); ++i) {
    std::string_view part = context[i];
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      part = part.substr(1, part.size() - 2);
    }
    if (AllDigits(part)) {
      path.append("[").append(part).append("]");
    } else {
      path.append(".").append(part);
    }
  }
  return path;
}

// rapidjson parses recursively: refuse deep documents before it does.
bool DeeperThan(std::string_view json, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace

struct JsonSchema::Impl {
  valijson::Schema schema;
};

JsonSchema::JsonSchema() : impl_(std::make_unique<Impl>()) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Compile(std::string_view schema_json) {
  if (DeeperThan(schema_json, kMaxSchemaDepth)) {
    return InvalidArgument("parametersSchema is nested more than 32 levels deep");
  }
  rapidjson::Document doc;
  doc.Parse(schema_json.data(), schema_json.size());
  if (doc.HasParseError()) return InvalidArgument("parametersSchema is not valid JSON");
  if (!doc.IsObject()) return InvalidArgument("parametersSchema must be a JSON object");
  // HasMember, not FindMember == MemberEnd(): rapidjson's iterator == is ambiguous in C++20.
  if (!doc.HasMember("type") || !doc["type"].IsString() ||
      std::string_view(doc["type"].GetString()) != "object") {
    return InvalidArgument("parametersSchema must have \"type\": \"object\"");
  }
  std::shared_ptr<JsonSchema> compiled(new JsonSchema());
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::RapidJsonAdapter adapter(doc);
    parser.populateSchema(adapter, compiled->impl_->schema);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("parametersSchema is not a valid JSON Schema: ") + e.what());
  }
  return std::shared_ptr<const JsonSchema>(std::move(compiled));
}

Status JsonSchema::Validate(std::string_view instance_json, std::string_view root_name) const {
  rapidjson::Document doc;
  doc.Parse(instance_json.data(), instance_json.size());
  if (doc.HasParseError()) return InvalidArgument(std::string(root_name) + " is not valid JSON");
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::RapidJsonAdapter adapter(doc);
  try {
    // Without a results object valijson stops at the first failure: the common, valid case pays
    // for no error collection; only a failure is validated again to name its path.
    if (validator.validate(impl_->schema, adapter, nullptr)) return Status::Ok();
    validator.validate(impl_->schema, adapter, &results);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(root_name) + " could not be checked: " + e.what());
  }
  // The most specific error: the one deepest in the document, first among equals.
  valijson::ValidationResults::Error first;
  valijson::ValidationResults::Error error;
  bool have = false;
  while (results.popError(error)) {
    if (!have || error.context.size() > first.context.size()) {
      first = error;
      have = true;
    }
  }
  if (!have) return InvalidArgument(std::string(root_name) + " does not match the tool's schema");
  return InvalidArgument(PathOf(first.context, root_name) + ": " + first.description);
}

Result<std::shared_ptr<const JsonSchema>> SchemaCache::Get(const std::string& schema_json) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = compiled_.find(schema_json);
    if (it != compiled_.end()) return it->second;
  }
  Result<std::shared_ptr<const JsonSchema>> compiled = JsonSchema::Compile(schema_json);
  if (!compiled.ok()) return compiled;
  std::lock_guard<std::mutex> lock(mu_);
  if (compiled_.size() >= kMaxEntries) compiled_.clear();
  compiled_.emplace(schema_json, *compiled);
  return compiled;
}

}  // namespace voxbase
