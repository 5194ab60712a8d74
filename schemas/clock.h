// Clock: the one way voxbase code asks what time it is, so tests can inject time.
//
// Ingest and the API read wall time; folds never read a clock (DESIGN.md invariant 2): every
// timestamp a projection needs is recorded in the event. Timers and deadlines (the log's fsync
// interval, the runner's log-end check and flush interval, a write's apply deadline) read
// monotonic time, so a test drives them with a ManualClock instead of sleeping. Implementations
// are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace voxbase {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch: what is recorded and shown (wall time; it may jump).
  virtual int64_t NowMillis() const = 0;
  // Milliseconds from an arbitrary start that never goes back: what timers and deadlines use.
  virtual int64_t MonotonicMillis() const = 0;
  // How long a thread waiting for a deadline `remaining_ms` away on this clock should wait in
  // real time before it looks again: all of it on the system clock; a short slice on a clock a
  // test moves by hand, so the waiter sees the test's Advance soon.
  virtual int64_t RealWaitMillis(int64_t remaining_ms) const = 0;
};

// "2025-11-29T12:35:00Z" (UTC, whole seconds) and "2025-11-29" for a time in ms since the epoch.
std::string FormatIso8601(int64_t ms);
std::string FormatDay(int64_t ms);

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  int64_t MonotonicMillis() const override;
  int64_t RealWaitMillis(int64_t remaining_ms) const override { return remaining_ms; }
  static const SystemClock& Instance();
};

// A clock that moves only when told to; for tests. Advance moves wall and monotonic time
// together; Set moves only the wall clock (as an operator setting the time would).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_(start_ms) {}
  int64_t NowMillis() const override { return now_.load(); }
  int64_t MonotonicMillis() const override { return monotonic_.load(); }
  int64_t RealWaitMillis(int64_t remaining_ms) const override {
    return remaining_ms < kSliceMs ? remaining_ms : kSliceMs;
  }
  void Advance(int64_t ms) {
    now_ += ms;
    monotonic_ += ms;
  }
  void Set(int64_t ms) { now_ = ms; }

 private:
  static constexpr int64_t kSliceMs = 5;
  std::atomic<int64_t> now_;
  std::atomic<int64_t> monotonic_{0};
};

}  // namespace voxbase
