// LogProbe: the metrics of an event log, so log code never touches the metrics library.
//
// Owns its metric families inside the registry it is given; the registry must outlive it.
// Thread-safe: called from the log's writer thread and from readers.
#pragma once

#include <cstdint>
#include <memory>

namespace prometheus {
class Registry;
}

namespace voxbase {

class LogProbe {
 public:
  explicit LogProbe(prometheus::Registry& registry);
  ~LogProbe();
  LogProbe(const LogProbe&) = delete;
  LogProbe& operator=(const LogProbe&) = delete;

  void OnGroupCommit(uint64_t records, uint64_t bytes);
  void OnFsync(double seconds);
  void OnEndOffset(int64_t end_offset);
  void OnRefused();  // the queue was full

 private:
  struct Metrics;
  std::unique_ptr<Metrics> m_;
};

}  // namespace voxbase
