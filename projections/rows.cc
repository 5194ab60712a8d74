#include "projections/rows.h"

#include <algorithm>

namespace voxbase {

Result<simdjson::dom::object> ParseStoredRow(simdjson::dom::parser& parser, std::string_view stored,
                                             char version) {
  Result<std::string_view> json = DecodeValue(stored, version);
  if (!json.ok()) return json.status();
  simdjson::dom::object obj;
  if (parser.parse(json->data(), json->size()).get(obj)) {
    return Corruption("stored row is not a JSON object");
  }
  return obj;
}

std::string StringField(simdjson::dom::object obj, std::string_view name) {
  std::string_view v;
  if (obj[name].get(v)) return {};
  return std::string(v);
}

int64_t IntField(simdjson::dom::object obj, std::string_view name) {
  int64_t v = 0;
  if (obj[name].get(v)) return 0;
  return v;
}

std::optional<int64_t> OptionalIntField(simdjson::dom::object obj, std::string_view name) {
  int64_t v = 0;
  if (obj[name].get(v)) return std::nullopt;
  return v;
}

void WriteOptionalInt(JsonWriter& w, std::string_view key, const std::optional<int64_t>& value) {
  w.Key(key);
  value ? w.Int(*value) : w.Null();
}

Result<std::optional<std::string>> GetStoredJson(const ProjectionStore& store, int family,
                                                 std::string_view key, char version) {
  std::string stored;
  Result<bool> found = store.Get(family, key, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  Result<std::string_view> json = DecodeValue(stored, version);
  if (!json.ok()) return json.status();
  return std::optional<std::string>(std::string(*json));
}

Result<Page> ScanPage(const ProjectionStore& store, int family, std::string_view app_id,
                      const std::string& prefix, size_t limit, std::string_view cursor,
                      const PageRow& row, size_t max_scanned) {
  std::string start = prefix;
  if (!cursor.empty()) {
    Result<std::string> key = CursorKey(cursor, app_id, prefix);
    if (!key.ok()) return key.status();
    start = std::move(*key);
  }
  Page page;
  size_t scanned = 0;
  auto it = store.NewIterator(family);
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (page.rows.size() == limit || ++scanned > max_scanned) {
      page.next_cursor = MakeCursor(it->key(), app_id);
      break;
    }
    Result<std::optional<std::string>> json = row(it->key(), it->value());
    if (!json.ok()) return json.status();
    if (json->has_value()) page.rows.push_back(std::move(**json));
  }
  VOX_RETURN_IF_ERROR(it->status());
  return page;
}

PageRow StoredRow(char version) {
  return [version](std::string_view, std::string_view value) -> Result<std::optional<std::string>> {
    Result<std::string_view> json = DecodeValue(value, version);
    if (!json.ok()) return json.status();
    return std::optional<std::string>(std::string(*json));
  };
}

std::string CreatedOrderKey(int64_t created_at, std::string_view id) {
  std::string digits = std::to_string(std::max<int64_t>(created_at, 0));
  return std::string(20 - std::min<size_t>(digits.size(), 20), '0') + digits + "." +
         std::string(id);
}

Result<Page> OrderedPage(const std::vector<OrderedRow>& rows, size_t limit,
                         std::string_view cursor) {
  auto from = rows.begin();
  if (!cursor.empty()) {
    if (cursor.size() < 22 || cursor[20] != '.' ||
        cursor.substr(0, 20).find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgument("cursor is malformed");
    }
    from = std::upper_bound(rows.begin(), rows.end(), cursor,
                            [](std::string_view c, const OrderedRow& r) { return c < r.sort_key; });
  }
  Page page;
  for (auto it = from; it != rows.end(); ++it) {
    if (page.rows.size() == limit) {
      page.next_cursor = (it - 1)->sort_key;
      break;
    }
    page.rows.push_back(it->json);
  }
  return page;
}

}  // namespace voxbase
