#include "ingest/submitter.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace voxbase {

struct IngestProbe::Metrics {
  std::array<prometheus::Counter*, kEventTypeCount> appended{};
};

IngestProbe::IngestProbe(prometheus::Registry& registry) : m_(std::make_unique<Metrics>()) {
  auto& family = prometheus::BuildCounter()
                     .Name("voxbase_events_appended_total")
                     .Help("Events acknowledged by the event log, by type")
                     .Register(registry);
  for (EventType type : AllEventTypes()) {
    m_->appended[static_cast<size_t>(type)] =
        &family.Add({{"type", std::string(EventTypeName(type))}});
  }
}

IngestProbe::~IngestProbe() = default;

void IngestProbe::OnAppended(EventType type) {
  auto i = static_cast<size_t>(type);
  if (i < m_->appended.size()) m_->appended[i]->Increment();
}

void Submitter::Submit(const Event& event, AppendCallback done) {
  EventType type = event.type;
  log_.Append(event.app_id, EncodeEvent(event),
              [this, type, done = std::move(done)](Result<LogPosition> position) {
                if (position.ok() && probe_) probe_->OnAppended(type);
                done(std::move(position));
              });
}

}  // namespace voxbase
