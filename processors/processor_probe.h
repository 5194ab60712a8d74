// ProcessorProbe: a processor runner's metrics (applied offset, lag, events applied per type,
// batch apply latency, stalled flag, dead letters). Offsets and lag are summed over partitions.
// Owns its families in the given registry, which must outlive it. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace voxbase {

class ProcessorProbe {
 public:
  ProcessorProbe(prometheus::Registry& registry, std::string_view processor);
  ~ProcessorProbe();
  ProcessorProbe(const ProcessorProbe&) = delete;
  ProcessorProbe& operator=(const ProcessorProbe&) = delete;

  void OnEventApplied(std::string_view event_type);
  void OnBatch(uint64_t records, double seconds);
  // Sums over partitions: the next offsets to apply, and the durable ends of the log.
  void OnApplied(int64_t applied_next);
  void OnLogEnd(int64_t applied_next, int64_t log_end);
  void OnStalled(bool stalled);
  void OnDeadLetter();
  void OnDuplicateSkipped();

 private:
  struct Metrics;
  std::unique_ptr<Metrics> m_;
};

}  // namespace voxbase
