// What every read model shares: a Page of stored JSON rows (spliced into the answer without being
// parsed again) and the helpers that read a few fields out of a stored row.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/keys.h"
#include "schemas/json_writer.h"
#include "schemas/status.h"
#include "storage/store.h"

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
// An integer field that may be null or absent.
std::optional<int64_t> OptionalIntField(simdjson::dom::object obj, std::string_view name);
void WriteOptionalInt(JsonWriter& w, std::string_view key, const std::optional<int64_t>& value);

// The stored JSON of the row at `key`, of row version `version`, if any.
Result<std::optional<std::string>> GetStoredJson(const ProjectionStore& store, int family,
                                                 std::string_view key, char version);

// One page of a prefix scan: from `prefix` (or where `cursor`, made by a previous page, points),
// up to `limit` rows, each turned into stored JSON by `row` (which may skip an entry by returning
// nullopt, e.g. an index entry whose row is gone or filtered out). At most `max_scanned` entries
// are looked at; the cursor then resumes there.
using PageRow =
    std::function<Result<std::optional<std::string>>(std::string_view key, std::string_view value)>;
Result<Page> ScanPage(const ProjectionStore& store, int family, std::string_view app_id,
                      const std::string& prefix, size_t limit, std::string_view cursor,
                      const PageRow& row, size_t max_scanned = 10000);

// PageRow for families whose values are the stored rows themselves.
PageRow StoredRow(char version);

// One page of rows that were read whole and put in their list order (rows listed in the order
// they were made, whose ids are random): the rows after the one whose sort key `cursor` names, at
// most `limit`; nextCursor is the last one's sort key when more follow. Sort keys are unique and
// increase along `rows`; CreatedOrderKey makes them.
struct OrderedRow {
  std::string sort_key;
  std::string json;
};
Result<Page> OrderedPage(const std::vector<OrderedRow>& rows, size_t limit,
                         std::string_view cursor);
// "<created_at as 20 digits>.<id>": orders by creation, then id.
std::string CreatedOrderKey(int64_t created_at, std::string_view id);

}  // namespace voxbase
