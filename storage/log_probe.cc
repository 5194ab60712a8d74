#include "storage/log_probe.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace voxbase {

struct LogProbe::Metrics {
  prometheus::Counter* records;
  prometheus::Counter* bytes;
  prometheus::Counter* commits;
  prometheus::Counter* refused;
  prometheus::Histogram* fsync;
  prometheus::Gauge* end_offset;
};

LogProbe::LogProbe(prometheus::Registry& registry) : m_(std::make_unique<Metrics>()) {
  m_->records = &prometheus::BuildCounter()
                     .Name("voxbase_log_appended_records_total")
                     .Help("Records appended to the event log")
                     .Register(registry)
                     .Add({});
  m_->bytes = &prometheus::BuildCounter()
                   .Name("voxbase_log_appended_bytes_total")
                   .Help("Bytes appended to the event log, headers included")
                   .Register(registry)
                   .Add({});
  m_->commits = &prometheus::BuildCounter()
                     .Name("voxbase_log_group_commits_total")
                     .Help("Group commits (one write, at most one fsync each)")
                     .Register(registry)
                     .Add({});
  m_->refused = &prometheus::BuildCounter()
                     .Name("voxbase_log_refused_appends_total")
                     .Help("Appends refused because the append queue was full")
                     .Register(registry)
                     .Add({});
  m_->fsync = &prometheus::BuildHistogram()
                   .Name("voxbase_log_fsync_seconds")
                   .Help("Latency of fdatasync on the event log")
                   .Register(registry)
                   .Add({}, prometheus::Histogram::BucketBoundaries{
                                0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05, 0.1, 0.25, 1});
  m_->end_offset = &prometheus::BuildGauge()
                        .Name("voxbase_log_end_offset")
                        .Help("One past the last durable record of the event log")
                        .Register(registry)
                        .Add({});
}

LogProbe::~LogProbe() = default;

void LogProbe::OnGroupCommit(uint64_t records, uint64_t bytes) {
  m_->records->Increment(static_cast<double>(records));
  m_->bytes->Increment(static_cast<double>(bytes));
  m_->commits->Increment();
}
void LogProbe::OnFsync(double seconds) { m_->fsync->Observe(seconds); }
void LogProbe::OnEndOffset(int64_t end_offset) {
  m_->end_offset->Set(static_cast<double>(end_offset));
}
void LogProbe::OnRefused() { m_->refused->Increment(); }

}  // namespace voxbase
