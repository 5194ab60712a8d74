#include "ingest/json_schema.h"

#define VALIJSON_USE_EXCEPTIONS 1
// valijson's adapter must come before any RapidJSON header.
#include <valijson/adapters/rapidjson_adapter.hpp>
// clang-format off
#include <rapidjson/document.h>
// clang-format on
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <set>
#include <stdexcept>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace voxbase {
namespace {

constexpr size_t kMaxSchemaDepth = 32;
constexpr size_t kMaxSchemaBytes = 64 * 1024;
constexpr size_t kMaxPatternBytes = 1024;
constexpr size_t kMaxRegexes = 64;
constexpr int64_t kRegexMemoryBytes = 1 << 20;

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

// Everything a compiled schema refers to: the RE2 programs of its patterns and the separately
// compiled subschemas of its patternProperties, owned here so the constraints can point at them.
struct JsonSchema::Impl {
  struct PatternProperties {
    std::vector<std::pair<std::unique_ptr<RE2>, std::unique_ptr<valijson::Schema>>> patterns;
    std::set<std::string, std::less<>> named;  // the names under "properties"
    enum class Additional { kAllowed, kForbidden, kSchema } additional = Additional::kAllowed;
    std::unique_ptr<valijson::Schema> additional_schema;
  };
  std::deque<std::unique_ptr<RE2>> patterns;
  std::deque<PatternProperties> pattern_properties;
  size_t regexes = 0;  // patterns and patternProperties keys compiled so far
  valijson::Schema schema;
};

namespace {

using Impl = JsonSchema::Impl;
using valijson::adapters::Adapter;
using valijson::adapters::RapidJsonAdapter;

// The keywords voxbase puts in place of pattern, patternProperties (with the additionalProperties
// beside it) and format before valijson parses a schema, so that valijson's std::regex — a
// backtracking, recursive engine that a long string overflows — never sees untrusted input.
constexpr char kPatternKeyword[] = "x-voxbase-pattern";
constexpr char kPatternPropertiesKeyword[] = "x-voxbase-pattern-properties";
constexpr char kFormatKeyword[] = "x-voxbase-format";

void PushError(valijson::ValidationResults* results, const std::vector<std::string>& context,
               std::string message) {
  if (results != nullptr) results->pushError(context, message);
}

bool Validates(const valijson::Schema& schema, const Adapter& target,
               const std::vector<std::string>& context, valijson::ValidationResults* results) {
  const auto* value = dynamic_cast<const RapidJsonAdapter*>(&target);
  if (value == nullptr) return true;  // only RapidJSON documents are validated here
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults inner;
  if (validator.validate(schema, *value, results ? &inner : nullptr)) return true;
  valijson::ValidationResults::Error error;
  while (results != nullptr && inner.popError(error)) {
    std::vector<std::string> path = context;
    path.insert(path.end(), error.context.begin() + (error.context.empty() ? 0 : 1),
                error.context.end());
    results->pushError(path, error.description);
  }
  return false;
}

// A constraint of ours inside valijson's tree: valijson copies constraints by cloneInto/sizeOf.
template <typename Self>
class Constraint : public valijson::constraints::PolyConstraint {
 private:
  valijson::constraints::Constraint* cloneInto(void* at) const override {
    return new (at) Self(static_cast<const Self&>(*this));
  }
  size_t sizeOf() const override { return sizeof(Self); }
};

class PatternConstraint : public Constraint<PatternConstraint> {
 public:
  explicit PatternConstraint(const RE2* re) : re_(re) {}
  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    if (RE2::PartialMatch(target.asString(), *re_)) return true;
    PushError(results, context, "does not match the pattern " + re_->pattern());
    return false;
  }

 private:
  const RE2* re_;
};

class PatternPropertiesConstraint : public Constraint<PatternPropertiesConstraint> {
 public:
  explicit PatternPropertiesConstraint(const Impl::PatternProperties* p) : p_(p) {}
  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isObject()) return true;
    bool ok = true;
    target.applyToObject([&](const std::string& name, const Adapter& value) {
      std::vector<std::string> at = context;
      at.push_back("[" + name + "]");
      bool matched = false;
      for (const auto& [re, schema] : p_->patterns) {
        if (!RE2::PartialMatch(name, *re)) continue;
        matched = true;
        ok = Validates(*schema, value, at, results) && ok;
      }
      if (!matched && !p_->named.contains(name)) {
        if (p_->additional == Impl::PatternProperties::Additional::kForbidden) {
          PushError(results, at, "is not an allowed property");
          ok = false;
        } else if (p_->additional == Impl::PatternProperties::Additional::kSchema) {
          ok = Validates(*p_->additional_schema, value, at, results) && ok;
        }
      }
      return ok || results != nullptr;  // without results, stop at the first failure
    });
    return ok;
  }

 private:
  const Impl::PatternProperties* p_;
};

bool ValidDay(int month, int day) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1];
}

// The formats valijson checks (date, time, date-time), on RE2; other formats are annotations.
class FormatConstraint : public Constraint<FormatConstraint> {
 public:
  explicit FormatConstraint(std::string format) : format_(std::move(format)) {}
  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    static const RE2 kDate(R"(([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01]))");
    static const RE2 kTime(
        R"(([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))");
    static const RE2 kDateTime(
        R"(([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))");
    const std::string s = target.asString();
    int month = 0, day = 0;
    bool ok = true;
    if (format_ == "date") {
      ok = RE2::FullMatch(s, kDate, nullptr, &month, &day) && ValidDay(month, day);
    } else if (format_ == "time") {
      ok = RE2::FullMatch(s, kTime);
    } else if (format_ == "date-time") {
      ok = RE2::FullMatch(s, kDateTime, nullptr, &month, &day) && ValidDay(month, day);
    }
    if (!ok) PushError(results, context, "is not a valid " + format_);
    return ok;
  }

 private:
  std::string format_;
};

// Builds our constraints from the index the rewrite left in place of the keyword.
class IndexedBuilder : public valijson::ConstraintBuilder {
 public:
  using Make = std::function<valijson::constraints::Constraint*(size_t index)>;
  IndexedBuilder(size_t count, Make make) : count_(count), make_(std::move(make)) {}
  valijson::constraints::Constraint* make(const Adapter& value) const override {
    int64_t index = -1;
    if (!value.asInteger(index) || index < 0 || static_cast<size_t>(index) >= count_) {
      throw std::runtime_error("a reserved x-voxbase- keyword is used");
    }
    return make_(static_cast<size_t>(index));
  }

 private:
  size_t count_;
  Make make_;
};

class FormatBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const Adapter& value) const override {
    return new FormatConstraint(value.asString());
  }
};

// Parses `node` (already rewritten) into `schema`, with our keywords known to the parser.
void Parse(Impl& impl, const rapidjson::Value& node, valijson::Schema* schema) {
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  parser.addConstraintBuilder(kPatternKeyword,
                              new IndexedBuilder(impl.patterns.size(), [&impl](size_t i) {
                                return new PatternConstraint(impl.patterns[i].get());
                              }));
  parser.addConstraintBuilder(kPatternPropertiesKeyword,
                              new IndexedBuilder(impl.pattern_properties.size(), [&impl](size_t i) {
                                return new PatternPropertiesConstraint(&impl.pattern_properties[i]);
                              }));
  parser.addConstraintBuilder(kFormatKeyword, new FormatBuilder());
  rapidjson::Document copy;
  copy.CopyFrom(node, copy.GetAllocator());
  RapidJsonAdapter adapter(copy);
  parser.populateSchema(adapter, *schema);
}

Result<std::unique_ptr<RE2>> CompileRegex(Impl& impl, std::string_view pattern,
                                          std::string_view where) {
  if (++impl.regexes > kMaxRegexes) {
    return InvalidArgument("parametersSchema has more than " + std::to_string(kMaxRegexes) +
                           " patterns");
  }
  if (pattern.size() > kMaxPatternBytes) {
    return InvalidArgument("parametersSchema: a " + std::string(where) + " is longer than " +
                           std::to_string(kMaxPatternBytes) + " bytes");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMemoryBytes);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    return InvalidArgument("parametersSchema: the " + std::string(where) + " '" +
                           std::string(pattern.substr(0, 100)) +
                           "' is not supported (voxbase runs patterns on RE2, which has no "
                           "backreferences or lookaround): " +
                           re->error());
  }
  return re;
}

// The members of a JSON object by index: a range-for over rapidjson's member iterators is
// ambiguous in C++20 (its operator!= and the reversed candidate), and clang refuses it.
template <typename Fn>
Status EachMember(rapidjson::Value& object, Fn fn) {
  for (rapidjson::SizeType i = 0; i < object.MemberCount(); ++i) {
    VOX_RETURN_IF_ERROR(fn(*(object.MemberBegin() + i)));
  }
  return Status::Ok();
}

// Puts our keywords in place of pattern, patternProperties and format in every subschema, going
// only where draft 7 holds subschemas (so a property named "pattern" stays a property).
// Whether `value` holds a "$ref" anywhere.
bool HoldsRef(const rapidjson::Value& value) {
  if (value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      if (HoldsRef(value[i])) return true;
    }
    return false;
  }
  if (!value.IsObject()) return false;
  for (rapidjson::SizeType i = 0; i < value.MemberCount(); ++i) {
    const rapidjson::Value::Member& m = *(value.MemberBegin() + i);
    if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == "$ref") return true;
    if (HoldsRef(m.value)) return true;
  }
  return false;
}

constexpr std::string_view kDefinitionRef = "#/definitions/";

// A $ref names a definition of the same schema ("#/definitions/<name>"), which exists, and whose
// chain of definitions that are only a $ref ends in a schema: anything else (another document,
// the schema itself, a cycle of references) made valijson recurse until the stack overflowed.
Status CheckRef(const rapidjson::Value& root, const rapidjson::Value& ref) {
  if (!ref.IsString()) return InvalidArgument("parametersSchema: $ref must be a string");
  std::string_view target(ref.GetString(), ref.GetStringLength());
  const rapidjson::Value* definitions =
      root.HasMember("definitions") && root["definitions"].IsObject() ? &root["definitions"]
                                                                      : nullptr;
  for (size_t hops = 0;; ++hops) {
    if (!target.starts_with(kDefinitionRef) || hops > 64) {
      return InvalidArgument("parametersSchema: $ref '" + std::string(target.substr(0, 100)) +
                             "' must name a definition of this schema (#/definitions/<name>) "
                             "that is not a loop of references");
    }
    const std::string name(target.substr(kDefinitionRef.size()));
    if (definitions == nullptr || name.empty() || name.find('/') != std::string::npos ||
        name.find('~') != std::string::npos || !definitions->HasMember(name.c_str())) {
      return InvalidArgument("parametersSchema: $ref '" + std::string(target.substr(0, 100)) +
                             "' names no definition of this schema");
    }
    const rapidjson::Value& next = (*definitions)[name.c_str()];
    if (!next.IsObject() || !next.HasMember("$ref")) return Status::Ok();
    if (!next["$ref"].IsString()) return InvalidArgument("parametersSchema: $ref must be a string");
    target = std::string_view(next["$ref"].GetString(), next["$ref"].GetStringLength());
  }
}

Status Rewrite(rapidjson::Value& node, rapidjson::Document::AllocatorType& alloc, Impl& impl,
               const rapidjson::Value& root) {
  if (!node.IsObject()) return Status::Ok();
  Status subschemas = EachMember(node, [&](rapidjson::Value::Member& m) -> Status {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key.starts_with("x-voxbase-")) {
      return InvalidArgument("parametersSchema uses the reserved keyword " + std::string(key));
    }
    if (key == "$ref") return CheckRef(root, m.value);
    if (key == "properties" || key == "patternProperties" || key == "definitions" ||
        key == "dependencies") {
      if (!m.value.IsObject()) return Status::Ok();
      return EachMember(m.value, [&](rapidjson::Value::Member& sub) {
        return Rewrite(sub.value, alloc, impl, root);
      });
    }
    if (key == "allOf" || key == "anyOf" || key == "oneOf" || key == "items") {
      if (!m.value.IsArray()) return Rewrite(m.value, alloc, impl, root);
      for (rapidjson::SizeType i = 0; i < m.value.Size(); ++i) {
        VOX_RETURN_IF_ERROR(Rewrite(m.value[i], alloc, impl, root));
      }
      return Status::Ok();
    }
    if (key == "additionalProperties" || key == "additionalItems" || key == "contains" ||
        key == "propertyNames" || key == "not" || key == "if" || key == "then" || key == "else") {
      return Rewrite(m.value, alloc, impl, root);
    }
    return Status::Ok();
  });
  if (!subschemas.ok()) return subschemas;
  if (node.HasMember("pattern") && node["pattern"].IsString()) {
    const rapidjson::Value& p = node["pattern"];
    Result<std::unique_ptr<RE2>> re =
        CompileRegex(impl, std::string_view(p.GetString(), p.GetStringLength()), "pattern");
    if (!re.ok()) return re.status();
    impl.patterns.push_back(std::move(*re));
    node.RemoveMember("pattern");
    node.AddMember(rapidjson::StringRef(kPatternKeyword),
                   rapidjson::Value(static_cast<int64_t>(impl.patterns.size() - 1)), alloc);
  }
  if (node.HasMember("format") && node["format"].IsString()) {
    rapidjson::Value format;
    format.CopyFrom(node["format"], alloc);
    node.RemoveMember("format");
    node.AddMember(rapidjson::StringRef(kFormatKeyword), format, alloc);
  }
  if (node.HasMember("patternProperties") && node["patternProperties"].IsObject()) {
    Impl::PatternProperties p;
    try {
      VOX_RETURN_IF_ERROR(
          EachMember(node["patternProperties"], [&](rapidjson::Value::Member& m) -> Status {
            Result<std::unique_ptr<RE2>> re =
                CompileRegex(impl, std::string_view(m.name.GetString(), m.name.GetStringLength()),
                             "patternProperties key");
            if (!re.ok()) return re.status();
            // Parsed on its own, where a $ref would resolve against nothing but itself.
            if (HoldsRef(m.value)) {
              return InvalidArgument(
                  "parametersSchema: a patternProperties schema may not use $ref");
            }
            auto schema = std::make_unique<valijson::Schema>();
            Parse(impl, m.value, schema.get());
            p.patterns.emplace_back(std::move(*re), std::move(schema));
            return Status::Ok();
          }));
      if (node.HasMember("properties") && node["properties"].IsObject()) {
        VOX_RETURN_IF_ERROR(EachMember(node["properties"], [&](rapidjson::Value::Member& m) {
          p.named.emplace(m.name.GetString(), m.name.GetStringLength());
          return Status::Ok();
        }));
      }
      if (node.HasMember("additionalProperties")) {
        const rapidjson::Value& a = node["additionalProperties"];
        if (a.IsBool()) {
          p.additional = a.GetBool() ? Impl::PatternProperties::Additional::kAllowed
                                     : Impl::PatternProperties::Additional::kForbidden;
        } else {
          p.additional = Impl::PatternProperties::Additional::kSchema;
          p.additional_schema = std::make_unique<valijson::Schema>();
          Parse(impl, a, p.additional_schema.get());
        }
      }
    } catch (const std::exception& e) {
      return InvalidArgument(std::string("parametersSchema is not a valid JSON Schema: ") +
                             e.what());
    }
    impl.pattern_properties.push_back(std::move(p));
    node.RemoveMember("patternProperties");
    node.RemoveMember("additionalProperties");
    node.AddMember(rapidjson::StringRef(kPatternPropertiesKeyword),
                   rapidjson::Value(static_cast<int64_t>(impl.pattern_properties.size() - 1)),
                   alloc);
  }
  return Status::Ok();
}

}  // namespace

JsonSchema::JsonSchema() : impl_(std::make_unique<Impl>()) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Compile(std::string_view schema_json) {
  if (schema_json.size() > kMaxSchemaBytes) {
    return InvalidArgument("parametersSchema is larger than " +
                           std::to_string(kMaxSchemaBytes / 1024) + " KiB");
  }
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
  rapidjson::Document root;  // what $refs name, as written (Rewrite changes `doc` as it goes)
  root.CopyFrom(doc, root.GetAllocator());
  VOX_RETURN_IF_ERROR(Rewrite(doc, doc.GetAllocator(), *compiled->impl_, root));
  try {
    Parse(*compiled->impl_, doc, &compiled->impl_->schema);
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
