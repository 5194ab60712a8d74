// Idempotency keys (sys.idempotency): scope | Idempotency-Key → the first request's event. The
// scope is the app id, or "admin" for the admin API.
//
// A write that carries an Idempotency-Key records it through its own event: the fold that applies
// the event writes this row in the same batch (processors/idempotency_fold.h), so the record
// survives restart, kill -9 and replay exactly as the write itself does. A retry rebuilds its
// answer from the recorded event id, time and offset. Records are honoured for kIdempotencyTtlMs
// after the first request, measured in event time. IdempotencyView is thread-safe.
//
// The record also keeps the rows the event's folds wrote, except session-log runs, which never
// change once written (at most kMaxCapturedRows rows and
// kMaxCapturedBytes bytes; none when the event wrote more, like a batch of messages, whose answer
// depends on the event alone). A retry reads its answer through AsRecordedStore: those rows as they
// stood right after the first request, everything else as it stands now, so a handoff claimed
// since, or a rating replaced since, does not change the answer the retry gets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr int64_t kIdempotencyTtlMs = 24 * 60 * 60 * 1000;
inline constexpr size_t kMaxIdempotencyKeyBytes = 128;

// A row an event's folds wrote, as of that event; no value: deleted.
struct CapturedRow {
  int family = 0;
  std::string key;
  std::optional<std::string> value;
};
inline constexpr size_t kMaxCapturedRows = 32;
inline constexpr size_t kMaxCapturedBytes = 16 * 1024;

struct IdempotencyRecord {
  std::string request_hash;  // hex SHA-256 of method, path and body
  std::string event_id;
  int64_t event_ts = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  std::vector<CapturedRow> rows;  // the last write to each row, in the order first written

  std::string Encode() const;
  static Result<IdempotencyRecord> Decode(std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string IdempotencyKey(std::string_view scope, std::string_view key);
inline constexpr std::string_view kAdminIdempotencyScope = "admin";

// Reads `live`, except the rows `record` captured, which read as they stood after its event.
// Iterators read `live`. For answering retries only: it writes nothing. `live` and `record` must
// outlive it; thread-compatible.
class AsRecordedStore final : public ProjectionStore {
 public:
  AsRecordedStore(const ProjectionStore& live, const IdempotencyRecord& record)
      : live_(live), record_(record) {}
  Result<bool> Get(int family, std::string_view key, std::string* value) const override;
  std::unique_ptr<StoreIterator> NewIterator(int family) const override {
    return live_.NewIterator(family);
  }
  std::unique_ptr<StoreIterator> NewGroupIterator(int family,
                                                  std::string_view group) const override {
    return live_.NewGroupIterator(family, group);
  }
  std::unique_ptr<StoreBatch> NewBatch() override { return nullptr; }
  Status Write(StoreBatch&) override { return Internal("AsRecordedStore is read-only"); }
  Status Flush() override { return Internal("AsRecordedStore is read-only"); }
  Status FlushInBackground() override { return Internal("AsRecordedStore is read-only"); }
  Status Checkpoint(const std::string&) override {
    return Internal("AsRecordedStore is read-only");
  }
  StoreMemory memory() const override { return live_.memory(); }
  size_t family_count() const override { return live_.family_count(); }
  const std::string& family_name(int family) const override { return live_.family_name(family); }

 private:
  const ProjectionStore& live_;
  const IdempotencyRecord& record_;
};

class IdempotencyView {
 public:
  explicit IdempotencyView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<IdempotencyRecord>> Find(std::string_view scope, std::string_view key) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
