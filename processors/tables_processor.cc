#include "processors/tables_processor.h"

#include "projections/idempotency.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {

Status TablesProcessor::Apply(const DecodedEvent& event, const LogPosition& position,
                              StoreBatch& batch) {
  if (!IsAppId(event.app_id)) return BadPayload(event, "app id is malformed");
  Fold fold = folds_.Find(event.type);
  if (fold == nullptr) return BadPayload(event, "no fold for this type");
  Result<bool> retry = IsRecordedRetry(event, position, batch);
  if (!retry.ok()) return retry.status();
  if (*retry) return Status::Ok();
  return fold(FoldContext{event, position, batch, row_parser_});
}

Result<bool> TablesProcessor::IsRecordedRetry(const DecodedEvent& event,
                                              const LogPosition& position, StoreBatch& batch) {
  if (event.idempotency_key.empty()) return false;
  if (event.idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    return BadPayload(event, "idempotency key is too long");
  }
  const std::string key = IdempotencyKey(event.idempotency_scope, event.idempotency_key);
  std::string stored;
  Result<bool> found = batch.Get(Family(Table::kIdempotency), key, &stored);
  if (!found.ok()) return found.status();
  if (*found) {
    Result<IdempotencyRecord> first = IdempotencyRecord::Decode(stored);
    if (!first.ok()) return first.status();
    if (first->event_id != event.id && event.ts_ms - first->event_ts < kIdempotencyTtlMs) {
      return true;
    }
  }
  IdempotencyRecord record{std::string(event.request_hash), std::string(event.id), event.ts_ms,
                           position.partition, position.offset};
  batch.Put(Family(Table::kIdempotency), key, record.Encode());
  return false;
}

}  // namespace voxbase
