#include "api/quota_probe.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

namespace voxbase {

struct QuotaProbe::Metrics {
  prometheus::Family<prometheus::Counter>* family;
  prometheus::Counter* all;  // null when labelled by app
};

QuotaProbe::QuotaProbe(prometheus::Registry& registry, bool per_app) : m_(new Metrics) {
  m_->family = &prometheus::BuildCounter()
                    .Name("voxbase_app_write_refusals_total")
                    .Help("Writes refused (429) because their app was over its write quota")
                    .Register(registry);
  m_->all = per_app ? nullptr : &m_->family->Add({});
}

QuotaProbe::~QuotaProbe() = default;

void QuotaProbe::OnRefused(const std::string& app_id) {
  if (m_->all != nullptr) return m_->all->Increment();
  m_->family->Add({{"app", app_id}}).Increment();
}

}  // namespace voxbase
