// ProcessorRunner: drives the processors over the log, on a thread of its own.
//
// Lifecycle: construct, Start() (loads the stored position and starts the thread), Stop(). Or,
// without a thread, CatchUp() applies everything up to the log's current end (replay, tools).
//
// Each poll's records are folded into one StoreBatch together with the new positions and committed
// in one write (DESIGN.md invariant 3), so after a crash the runner resumes exactly after the last
// committed event; records below the stored position (redelivered) are skipped. Each processor
// keeps a position of its own: one added to a deployment later starts from offset 0 and is fed
// only the records it has not applied, while the others skip them.
//
// A record that can never be applied — not an event at all, or an event whose payload is
// malformed (a poison record written by another producer) — goes to the dead-letter table with its
// position and error, is counted and logged, and the runner goes on. An event this build does not
// know (a newer type or version) or any other failure stops the runner at that event: what came
// before it is committed, the error is logged and kept in stall(), waiters are failed, and nothing
// after it is applied until an operator intervenes. Thread-safe accessors; Start/Stop from one
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "processors/applied_feed.h"
#include "processors/applied_watermark.h"
#include "processors/processor.h"
#include "processors/processor_probe.h"
#include "schemas/clock.h"
#include "storage/event_log.h"
#include "storage/store.h"

namespace voxbase {

struct RunnerOptions {
  size_t max_batch_records = 1024;
  std::chrono::milliseconds poll_wait{20};
  // CatchUp reads and parses the next batches on a second thread while this one is applied (a
  // rebuild, where nothing else wants the core).
  bool read_ahead = false;
  // A live runner flushes the store once this many records were applied since its last flush (0:
  // only when the memtables fill), at most once per flush_interval. The store keeps no WAL, so
  // this bounds what a restart after kill -9 applies again, whatever the uptime.
  int64_t flush_every_records = 0;
  std::chrono::milliseconds flush_interval{1000};
  // Skip events applied before at another offset (AppliedEventIds). Unset: when the log says it
  // may hold duplicates (Kafka). Live and replay read the same log, so they decide alike.
  std::optional<bool> skip_duplicate_events = std::nullopt;
  // Where each committed batch's applied records are published (optional; must outlive the
  // runner). Rows are listed only while it has subscribers.
  AppliedFeed* feed = nullptr;
  // Whose monotonic time the runner's timers (the log-end check, the flush interval) read; null:
  // the system's. Must outlive the runner.
  const Clock* clock = nullptr;
};

class ProcessorRunner {
 public:
  // `watermark` and `probe` may be null; everything given must outlive the runner.
  ProcessorRunner(EventLog& log, ProjectionStore& store, std::vector<Processor*> processors,
                  AppliedWatermark* watermark, ProcessorProbe* probe, RunnerOptions options = {});
  ProcessorRunner(EventLog& log, ProjectionStore& store, Processor& processor,
                  AppliedWatermark* watermark, ProcessorProbe* probe, RunnerOptions options = {})
      : ProcessorRunner(log, store, std::vector<Processor*>{&processor}, watermark, probe,
                        options) {}
  ~ProcessorRunner();

  Status Start();
  void Stop();
  // For a clean stop, once the log takes no more appends: waits (at most `timeout`) until every
  // processor applied the log's end, then stops. True when it got there. Without it a stop right
  // after a burst left the tail unapplied, and the projections a checksum read after the stop
  // were behind a replay's.
  bool StopAtEnd(std::chrono::milliseconds timeout);

  // Applies on the calling thread until the log end seen at the call; `progress` (optional) is
  // called after each batch with the applied and end offsets of partition 0.
  Status CatchUp(const std::function<void(int64_t applied, int64_t end)>& progress = nullptr);

  // True once the runner applied the log end it saw when it started.
  bool caught_up() const { return caught_up_.load(); }
  // Non-OK once the runner stopped on an event it cannot apply.
  Status stall() const;
  std::vector<int64_t> positions() const;

 private:
  Status LoadPosition();
  // `decoded`, when given, holds each record's event, decoded ahead (CatchUp's read-ahead).
  Status ApplyBatch(const std::vector<LogRecord>& records,
                    const std::vector<Result<DecodedEvent>>* decoded = nullptr);
  Status CatchUpReadingAhead(const std::vector<int64_t>& end,
                             const std::function<void(int64_t, int64_t)>& progress);
  void Run();
  void MaybeFlush();
  void Stall(const Status& status);

  EventLog& log_;
  ProjectionStore& store_;
  const std::vector<Processor*> processors_;
  AppliedWatermark* watermark_;
  ProcessorProbe* probe_;
  const RunnerOptions options_;
  EventDecoder decoder_;
  std::unique_ptr<LogReader> reader_;
  std::string name_;  // the processors' names, for logs
  // Next offset to apply, per processor and partition; touched only by the applying thread.
  std::vector<std::vector<int64_t>> processor_next_;

  mutable std::mutex mu_;
  std::condition_variable applied_cv_;  // next_ or stall_ changed
  std::vector<int64_t> next_;           // guarded by mu_: next offset to apply per partition
  Status stall_;                        // guarded by mu_
  std::vector<int64_t> start_end_;
  bool end_known_ = false;  // whether start_end_ came from the log (it can fail to say)
  const Clock& clock_;
  int64_t last_lag_check_ms_ = 0;    // monotonic
  int64_t applied_since_flush_ = 0;  // applying thread only
  int64_t duplicates_skipped_ = 0;   // applying thread only
  const bool skip_duplicates_;
  int64_t last_flush_ms_ = 0;  // monotonic
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Position values in the positions table: a version byte, then a big-endian offset per partition.
std::string EncodePositions(const std::vector<int64_t>& next_offsets);
std::string DeadLetterKey(int32_t partition, int64_t offset);
Result<std::vector<int64_t>> DecodePositions(std::string_view value);
// The next offsets a processor stored, per partition; empty when it has stored none.
Result<std::vector<int64_t>> StoredPositions(const ProjectionStore& store,
                                             std::string_view processor);

}  // namespace voxbase
