#include "projections/idempotency.h"

#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {

std::string IdempotencyKey(std::string_view scope, std::string_view key) {
  std::string out(scope);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string IdempotencyRecord::Encode() const {
  JsonWriter w;
  w.BeginObject()
      .Field("requestHash", request_hash)
      .Field("eventId", event_id)
      .Field("eventTs", event_ts)
      .Field("partition", static_cast<int64_t>(partition))
      .Field("offset", offset);
  if (!rows.empty()) {
    w.Key("rows").BeginArray();
    for (const CapturedRow& row : rows) {
      w.BeginObject()
          .Field("family", static_cast<int64_t>(row.family))
          .Field("key", HexEncode(row.key));
      if (row.value) w.Field("value", HexEncode(*row.value));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return EncodeValue(w.view(), kVersion);
}

Result<IdempotencyRecord> IdempotencyRecord::Decode(std::string_view stored) {
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  IdempotencyRecord r;
  r.request_hash = StringField(*obj, "requestHash");
  r.event_id = StringField(*obj, "eventId");
  r.event_ts = IntField(*obj, "eventTs");
  r.partition = static_cast<int32_t>(IntField(*obj, "partition"));
  r.offset = IntField(*obj, "offset");
  if (r.event_id.empty()) return Corruption("stored idempotency record has no event id");
  simdjson::dom::array rows;
  if (!(*obj)["rows"].get(rows)) {
    for (simdjson::dom::element item : rows) {
      simdjson::dom::object row;
      if (item.get(row)) return Corruption("stored idempotency record has a bad row");
      CapturedRow captured;
      captured.family = static_cast<int>(IntField(row, "family"));
      std::string_view hex;
      if (row["key"].get(hex) || !HexDecode(hex, &captured.key)) {
        return Corruption("stored idempotency record has a bad row key");
      }
      if (!row["value"].get(hex)) {
        captured.value.emplace();
        if (!HexDecode(hex, &*captured.value)) {
          return Corruption("stored idempotency record has a bad row value");
        }
      }
      r.rows.push_back(std::move(captured));
    }
  }
  return r;
}

Result<bool> AsRecordedStore::Get(int family, std::string_view key, std::string* value) const {
  for (const CapturedRow& row : record_.rows) {
    if (row.family != family || row.key != key) continue;
    if (!row.value) return false;
    *value = *row.value;
    return true;
  }
  return live_.Get(family, key, value);
}

Result<std::optional<IdempotencyRecord>> IdempotencyView::Find(std::string_view scope,
                                                               std::string_view key) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kIdempotency), IdempotencyKey(scope, key), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<IdempotencyRecord>();
  Result<IdempotencyRecord> record = IdempotencyRecord::Decode(stored);
  if (!record.ok()) return record.status();
  return std::optional<IdempotencyRecord>(std::move(*record));
}

}  // namespace voxbase
