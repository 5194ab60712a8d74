// EventLog: the append-only log every write goes through, and LogReader, a cursor over it.
//
// The log is the source of truth (DESIGN.md): projections are folded from it and can be rebuilt
// from offset 0. It is split into partitions; a record's key (the app id) picks its partition, and
// order is kept within a partition. The embedded backend has one partition. A position is
// (partition, offset); offsets are dense per partition and start at 0.
//
// Thread-safety: Append may be called from any thread. A LogReader belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"

namespace voxbase {

struct LogPosition {
  int32_t partition = 0;
  int64_t offset = 0;
};

struct LogRecord {
  LogPosition position;
  std::string payload;
};

// When an embedded log makes an appended record durable before acknowledging it.
enum class FsyncPolicy {
  kAlways,    // fdatasync per group commit, before any record in it is acknowledged
  kInterval,  // acknowledge after write(); fdatasync every interval (survives kill -9, not power
              // loss)
  kNone,      // acknowledge after write(); leave syncing to the OS
};

std::string_view FsyncPolicyName(FsyncPolicy policy);
Result<FsyncPolicy> ParseFsyncPolicy(std::string_view name);

// Runs exactly once per Append: with the record's position once it is durable under the log's
// policy, or with an error. It may run on the log's own thread or, for a refusal, on the caller's;
// it must not block.
using AppendCallback = std::function<void(Result<LogPosition>)>;

class LogReader {
 public:
  virtual ~LogReader() = default;
  // Returns up to `max_records` durable records in order, waiting at most `wait` for the first.
  // An empty vector means none arrived in time. Records are never returned twice by one reader.
  virtual Result<std::vector<LogRecord>> Poll(size_t max_records,
                                              std::chrono::milliseconds wait) = 0;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Queues `record`; `done` reports where it landed. A full queue refuses at once with
  // kResourceExhausted rather than growing without bound.
  virtual void Append(std::string_view key, std::string record, AppendCallback done) = 0;

  // Whether the log can take appends now: an error naming why not (a full disk, a failed sync),
  // for readiness. Appends may still be tried; this is what the last one found.
  virtual Status Health() const { return Status::Ok(); }

  // Whether one event can be in the log twice, at two offsets. The embedded log's one writer
  // appends each record once; a Kafka producer may write a batch again while a leader moves
  // (librdkafka #4953), so the runner then remembers applied event ids (processors/
  // applied_event_ids.h), at a cost it need not pay otherwise.
  virtual bool MayHoldDuplicates() const { return false; }

  // One past the last durable record, per partition (index = partition number). Fails when the
  // log cannot tell (Kafka: a broker that does not answer) rather than guessing 0.
  virtual Result<std::vector<int64_t>> EndOffsets() const = 0;

  // The first offset still held, per partition: above 0 once retention removed older records
  // (embedded: segments below a snapshot; Kafka: the topic's retention). Empty means 0 everywhere.
  virtual Result<std::vector<int64_t>> StartOffsets() const { return std::vector<int64_t>{}; }

  // A reader starting at `start_offsets[p]` for each partition p (missing entries start at 0).
  virtual Result<std::unique_ptr<LogReader>> NewReader(std::vector<int64_t> start_offsets) = 0;

  // Waits for queued appends to finish, syncs, and stops accepting more. Idempotent.
  virtual void Close() = 0;

  // Append and wait for the outcome; for command-line tools and tests.
  Result<LogPosition> AppendAndWait(std::string_view key, std::string record);
};

}  // namespace voxbase
