#include "processors/tables_processor.h"

#include "projections/idempotency.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {

namespace {

// Passes everything to the processor's batch and keeps the last value each row was given, so the
// idempotency record can hold the rows as of the event (projections/idempotency.h). Stops keeping
// rows past the bound and then keeps none. Rows put unread (a session log's runs, keyed by log
// position) are never changed afterwards, so the live store holds them as the event left them:
// PutUnread keeps nothing, and copies no batch's kilobytes per keyed write. Merge operands (the
// insights' counters, which no write's answer reads) pass through unkept too.
class CapturingBatch final : public ForwardingBatch {
 public:
  explicit CapturingBatch(StoreBatch& batch) : ForwardingBatch(batch) {}
  void Put(int family, std::string_view key, std::string_view value) override {
    inner_.Put(family, key, value);
    Keep(family, key, value);
  }
  void Delete(int family, std::string_view key) override {
    inner_.Delete(family, key);
    Keep(family, key, std::nullopt);
  }
  void DeleteRange(int family, std::string_view begin, std::string_view end) override {
    inner_.DeleteRange(family, begin, end);
    overflowed_ = true;  // rows gone in a range cannot be listed: keep none
  }
  Status RollbackToSavePoint() override {
    overflowed_ = true;  // what was undone cannot be told apart: keep nothing
    return inner_.RollbackToSavePoint();
  }

  std::vector<CapturedRow> TakeRows() {
    if (overflowed_) return {};
    return std::move(rows_);
  }

 private:
  void Keep(int family, std::string_view key, std::optional<std::string_view> value) {
    if (overflowed_) return;
    for (CapturedRow& row : rows_) {
      if (row.family == family && row.key == key) {
        bytes_ += value ? value->size() : 0;
        row.value = value ? std::optional<std::string>(*value) : std::nullopt;
        overflowed_ = bytes_ > kMaxCapturedBytes;
        return;
      }
    }
    bytes_ += key.size() + (value ? value->size() : 0);
    overflowed_ = rows_.size() >= kMaxCapturedRows || bytes_ > kMaxCapturedBytes;
    if (overflowed_) {
      rows_.clear();
      return;
    }
    rows_.push_back(CapturedRow{family, std::string(key),
                                value ? std::optional<std::string>(*value) : std::nullopt});
  }

  std::vector<CapturedRow> rows_;
  size_t bytes_ = 0;
  bool overflowed_ = false;
};

}  // namespace

Status TablesProcessor::Apply(const DecodedEvent& event, const LogPosition& position,
                              StoreBatch& batch) {
  if (!IsAppId(event.app_id)) return BadPayload(event, "app id is malformed");
  if (folds_.Handlers(event.type).empty()) return BadPayload(event, "no fold for this type");
  if (event.idempotency_key.empty()) {
    return ApplyFolds(folds_, FoldContext{event, position, batch, row_parser_});
  }
  Result<bool> retry = IsRecordedRetry(event, batch);
  if (!retry.ok()) return retry.status();
  if (*retry) return Status::Ok();
  CapturingBatch capture(batch);
  VOX_RETURN_IF_ERROR(ApplyFolds(folds_, FoldContext{event, position, capture, row_parser_}));
  IdempotencyRecord record{std::string(event.request_hash),
                           std::string(event.id),
                           event.ts_ms,
                           position.partition,
                           position.offset,
                           capture.TakeRows()};
  batch.Put(Family(Table::kIdempotency),
            IdempotencyKey(event.idempotency_scope, event.idempotency_key), record.Encode());
  return Status::Ok();
}

Result<bool> TablesProcessor::IsRecordedRetry(const DecodedEvent& event, StoreBatch& batch) {
  if (event.idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    return BadPayload(event, "idempotency key is too long");
  }
  const std::string key = IdempotencyKey(event.idempotency_scope, event.idempotency_key);
  std::string stored;
  Result<bool> found = batch.Get(Family(Table::kIdempotency), key, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return false;
  Result<IdempotencyRecord> first = IdempotencyRecord::Decode(stored);
  if (!first.ok()) return first.status();
  return first->event_id != event.id && event.ts_ms - first->event_ts < kIdempotencyTtlMs;
}

}  // namespace voxbase
