#include "ingest/fields.h"

namespace voxbase {

std::string FieldName(std::string_view where, std::string_view name) {
  std::string field(where);
  if (!field.empty()) field.push_back('.');
  field.append(name);
  return field;
}

namespace {

// Looks `name` up; false when absent or null (an error if required).
Result<bool> Lookup(simdjson::dom::object obj, std::string_view name, Presence presence,
                    std::string_view where, simdjson::dom::element* value) {
  if (obj[name].get(*value) || value->is_null()) {
    if (presence == Presence::kRequired) {
      return InvalidArgument(FieldName(where, name) + " is required");
    }
    return false;
  }
  return true;
}

}  // namespace

Status ReadString(simdjson::dom::object obj, std::string_view name, Presence presence,
                  size_t max_bytes, std::optional<std::string_view>* out, std::string_view where) {
  out->reset();
  simdjson::dom::element value;
  Result<bool> present = Lookup(obj, name, presence, where, &value);
  if (!present.ok()) return present.status();
  if (!*present) return Status::Ok();
  std::string_view s;
  if (value.get(s) || s.size() > max_bytes) {
    return InvalidArgument(FieldName(where, name) + " must be a string of at most " +
                           std::to_string(max_bytes) + " bytes");
  }
  *out = s;
  return Status::Ok();
}

Status ReadInt(simdjson::dom::object obj, std::string_view name, Presence presence, int64_t min,
               int64_t max, std::optional<int64_t>* out, std::string_view where) {
  out->reset();
  simdjson::dom::element value;
  Result<bool> present = Lookup(obj, name, presence, where, &value);
  if (!present.ok()) return present.status();
  if (!*present) return Status::Ok();
  int64_t n = 0;
  if (value.get(n) || n < min || n > max) {
    return InvalidArgument(FieldName(where, name) + " must be an integer from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  *out = n;
  return Status::Ok();
}

Status ReadBool(simdjson::dom::object obj, std::string_view name, Presence presence,
                std::optional<bool>* out, std::string_view where) {
  out->reset();
  simdjson::dom::element value;
  Result<bool> present = Lookup(obj, name, presence, where, &value);
  if (!present.ok()) return present.status();
  if (!*present) return Status::Ok();
  bool b = false;
  if (value.get(b)) return InvalidArgument(FieldName(where, name) + " must be true or false");
  *out = b;
  return Status::Ok();
}

Status CheckIdentifier(std::string_view value, size_t max_bytes, std::string_view field) {
  if (value.empty() || value.size() > max_bytes) {
    return InvalidArgument(std::string(field) + " must be 1 to " + std::to_string(max_bytes) +
                           " bytes long");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument(std::string(field) + " must not contain control characters");
    }
  }
  return Status::Ok();
}

}  // namespace voxbase
