// AppliedWatermark: how far a processor has applied the log, and who is waiting for it.
//
// A handler whose answer reports state registers with WhenApplied() after its event is durable;
// the runner calls Advance() after each committed batch, and the waiter is called once its event
// is in the projections (DESIGN.md invariant 6: read your writes), or with false at its deadline.
// Deadlines are checked whenever the runner advances or polls, so they fire within one poll
// interval. Thread-safe; callbacks run on the runner's thread or the caller's and must not block.
//
// It also tells how far the processor is behind the writes waiting on it: how long the oldest
// waited-on record not yet applied has been in the log, whether its waiter has given up or not.
// Ingest refuses new writes while that is too long (api/route_kit.cc), so that under overload a
// client gets a clean "not appended, retry" instead of an ack that times out.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "schemas/clock.h"
#include "storage/event_log.h"

namespace voxbase {

class AppliedWatermark {
 public:
  using Callback = std::function<void(bool applied)>;

  // Deadlines are in `clock`'s monotonic milliseconds; the clock must outlive the watermark.
  explicit AppliedWatermark(const Clock& clock = SystemClock::Instance(), int partitions = 1);

  const Clock& clock() const { return clock_; }
  void WhenApplied(const LogPosition& position, int64_t deadline_ms, Callback done);
  // Everything below `next_offset` in `partition` is applied.
  void Advance(int32_t partition, int64_t next_offset);
  // Fails waiters whose deadline has passed by the clock.
  void ExpireOverdue();
  // The processor stopped: no waiter will be satisfied.
  void FailAll();

  int64_t next_offset(int32_t partition) const;
  size_t waiting() const;
  // How long, by the clock, the oldest record registered with WhenApplied and not yet applied has
  // been waiting; 0 when none is. Lock-free.
  int64_t BehindMs() const;

 private:
  struct Waiter {
    int64_t deadline_ms;
    Callback done;
  };
  struct Pending {
    int64_t last_offset;  // the highest offset registered in this millisecond
    int64_t since_ms;     // the millisecond
  };
  void UpdateOldestLocked();

  const Clock& clock_;
  mutable std::mutex mu_;
  std::vector<int64_t> next_;                            // per partition
  std::vector<std::multimap<int64_t, Waiter>> waiters_;  // per partition, by offset
  // Per partition, in registration order, one entry per clock millisecond at most (so at most a
  // thousand a second, whatever the write rate); popped only by Advance, not by deadlines.
  std::vector<std::deque<Pending>> pending_;
  std::atomic<int64_t> oldest_pending_ms_{kNone};
  static constexpr int64_t kNone = INT64_MAX;
  bool failed_ = false;
};

}  // namespace voxbase
