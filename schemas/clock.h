// Clock: the one way voxbase code asks what time it is, so tests can inject time.
//
// Only ingest and the API read a clock; processors never do (DESIGN.md invariant 2): every
// timestamp a projection needs is recorded in the event. Implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace voxbase {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
};

// "2025-11-29T12:35:00Z" (UTC, whole seconds) and "2025-11-29" for a time in ms since the epoch.
std::string FormatIso8601(int64_t ms);
std::string FormatDay(int64_t ms);

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  static const SystemClock& Instance();
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_(start_ms) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(int64_t ms) { now_ = ms; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace voxbase
