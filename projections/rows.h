// What every read model shares: a Page of stored JSON rows (spliced into the answer without being
// parsed again) and the helpers that read a few fields out of a stored row.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projections/keys.h"
#include "schemas/status.h"

namespace voxbase {

// A page of rows and the cursor for the next page (empty on the last page).
struct Page {
  std::vector<std::string> rows;
  std::string next_cursor;
};

// A stored value of the given version, parsed; the object lives in `parser`.
Result<simdjson::dom::object> ParseStoredRow(simdjson::dom::parser& parser, std::string_view stored,
                                             char version = kValueVersion);

std::string StringField(simdjson::dom::object obj, std::string_view name);
int64_t IntField(simdjson::dom::object obj, std::string_view name);

}  // namespace voxbase
