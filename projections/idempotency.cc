#include "projections/idempotency.h"

#include "projections/rows.h"
#include "projections/tables.h"
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
      .Field("offset", offset)
      .EndObject();
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
  return r;
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
