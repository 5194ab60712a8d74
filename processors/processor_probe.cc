#include "processors/processor_probe.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>

namespace voxbase {

struct ProcessorProbe::Metrics {
  std::string processor;
  prometheus::Family<prometheus::Counter>* applied_family;
  std::mutex mu;
  std::map<std::string, prometheus::Counter*, std::less<>> applied;
  prometheus::Histogram* batch_seconds;
  prometheus::Counter* records;
  prometheus::Gauge* applied_offset;
  prometheus::Gauge* lag;
  prometheus::Gauge* stalled;
  prometheus::Counter* dead_letters;
  prometheus::Counter* duplicates;
};

ProcessorProbe::ProcessorProbe(prometheus::Registry& registry, std::string_view processor)
    : m_(std::make_unique<Metrics>()) {
  m_->processor = std::string(processor);
  const std::map<std::string, std::string> labels = {{"processor", m_->processor}};
  m_->applied_family = &prometheus::BuildCounter()
                            .Name("voxbase_processor_events_applied_total")
                            .Help("Events folded into projections, by type")
                            .Register(registry);
  m_->records = &prometheus::BuildCounter()
                     .Name("voxbase_processor_records_total")
                     .Help("Log records read by the processor")
                     .Register(registry)
                     .Add(labels);
  m_->batch_seconds = &prometheus::BuildHistogram()
                           .Name("voxbase_processor_batch_seconds")
                           .Help("Time to apply and commit one batch of events")
                           .Register(registry)
                           .Add(labels, prometheus::Histogram::BucketBoundaries{
                                            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                            0.025, 0.05, 0.1, 0.25, 1});
  m_->applied_offset =
      &prometheus::BuildGauge()
           .Name("voxbase_processor_applied_offset")
           .Help("Next log offset the processor will apply, summed over partitions")
           .Register(registry)
           .Add(labels);
  m_->lag = &prometheus::BuildGauge()
                 .Name("voxbase_processor_lag_records")
                 .Help("Durable log records not yet applied")
                 .Register(registry)
                 .Add(labels);
  m_->stalled = &prometheus::BuildGauge()
                     .Name("voxbase_processor_stalled")
                     .Help("1 when the processor stopped on an event it cannot apply")
                     .Register(registry)
                     .Add(labels);
  m_->dead_letters = &prometheus::BuildCounter()
                          .Name("voxbase_processor_dead_letters_total")
                          .Help("Records set aside in the dead-letter table (poison records)")
                          .Register(registry)
                          .Add(labels);
  m_->duplicates = &prometheus::BuildCounter()
                        .Name("voxbase_processor_duplicates_skipped_total")
                        .Help("Records whose event id was already applied at another position")
                        .Register(registry)
                        .Add(labels);
}

ProcessorProbe::~ProcessorProbe() = default;

void ProcessorProbe::OnEventApplied(std::string_view event_type) {
  prometheus::Counter* counter;
  {
    std::lock_guard<std::mutex> lock(m_->mu);
    auto it = m_->applied.find(event_type);
    if (it == m_->applied.end()) {
      counter = &m_->applied_family->Add(
          {{"processor", m_->processor}, {"type", std::string(event_type)}});
      m_->applied.emplace(std::string(event_type), counter);
    } else {
      counter = it->second;
    }
  }
  counter->Increment();
}

void ProcessorProbe::OnBatch(uint64_t records, double seconds) {
  m_->records->Increment(static_cast<double>(records));
  m_->batch_seconds->Observe(seconds);
}

void ProcessorProbe::OnApplied(int64_t applied_next) {
  m_->applied_offset->Set(static_cast<double>(applied_next));
}

void ProcessorProbe::OnLogEnd(int64_t applied_next, int64_t log_end) {
  m_->lag->Set(static_cast<double>(log_end > applied_next ? log_end - applied_next : 0));
}

void ProcessorProbe::OnStalled(bool stalled) { m_->stalled->Set(stalled ? 1 : 0); }
void ProcessorProbe::OnDeadLetter() { m_->dead_letters->Increment(); }
void ProcessorProbe::OnDuplicateSkipped() { m_->duplicates->Increment(); }

}  // namespace voxbase
