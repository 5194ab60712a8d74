// Submitter: puts a built event on the log, keyed by its app id, and counts what was appended.
//
// IngestProbe owns the per-type append counters (voxbase_events_appended_total{type}).
// Both are thread-safe; the log and probe must outlive the submitter.
#pragma once

#include <array>
#include <memory>

#include "schemas/event.h"
#include "storage/event_log.h"

namespace prometheus {
class Registry;
}

namespace voxbase {

class IngestProbe {
 public:
  explicit IngestProbe(prometheus::Registry& registry);
  ~IngestProbe();
  IngestProbe(const IngestProbe&) = delete;
  IngestProbe& operator=(const IngestProbe&) = delete;

  void OnAppended(EventType type);

 private:
  struct Metrics;
  std::unique_ptr<Metrics> m_;
};

class Submitter {
 public:
  Submitter(EventLog& log, IngestProbe* probe) : log_(log), probe_(probe) {}
  // `done` as for EventLog::Append.
  void Submit(const Event& event, AppendCallback done);

 private:
  EventLog& log_;
  IngestProbe* probe_;
};

}  // namespace voxbase
