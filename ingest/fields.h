// Field checks for JSON request bodies: type, presence, length and range, with an error that
// names the field ("messages[3].content must be a string of at most 32768 bytes").
//
// Every string is bounded; integers must be JSON integers in range; strings used inside keys
// (session ids) must be free of control characters. Stateless; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"

namespace voxbase {

enum class Presence { kRequired, kOptional };

// An optional field that is absent or JSON null leaves `out` empty.
Status ReadString(simdjson::dom::object obj, std::string_view name, Presence presence,
                  size_t max_bytes, std::optional<std::string_view>* out,
                  std::string_view where = {});
Status ReadInt(simdjson::dom::object obj, std::string_view name, Presence presence, int64_t min,
               int64_t max, std::optional<int64_t>* out, std::string_view where = {});
Status ReadBool(simdjson::dom::object obj, std::string_view name, Presence presence,
                std::optional<bool>* out, std::string_view where = {});

// An identifier used inside storage keys: 1..max bytes, no control characters.
Status CheckIdentifier(std::string_view value, size_t max_bytes, std::string_view field);

std::string FieldName(std::string_view where, std::string_view name);

}  // namespace voxbase
