// Idempotency keys (sys.idempotency): scope | Idempotency-Key → the first request's event. The
// scope is the app id, or "admin" for the admin API.
//
// A write that carries an Idempotency-Key records it through its own event: the fold that applies
// the event writes this row in the same batch (processors/idempotency_fold.h), so the record
// survives restart, kill -9 and replay exactly as the write itself does. A retry rebuilds its
// answer from the recorded event id, time and offset. Records are honoured for kIdempotencyTtlMs
// after the first request, measured in event time. IdempotencyView is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr int64_t kIdempotencyTtlMs = 24 * 60 * 60 * 1000;
inline constexpr size_t kMaxIdempotencyKeyBytes = 128;

struct IdempotencyRecord {
  std::string request_hash;  // hex SHA-256 of method, path and body
  std::string event_id;
  int64_t event_ts = 0;
  int32_t partition = 0;
  int64_t offset = 0;

  std::string Encode() const;
  static Result<IdempotencyRecord> Decode(std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string IdempotencyKey(std::string_view scope, std::string_view key);
inline constexpr std::string_view kAdminIdempotencyScope = "admin";

class IdempotencyView {
 public:
  explicit IdempotencyView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<IdempotencyRecord>> Find(std::string_view scope, std::string_view key) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
