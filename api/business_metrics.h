// Business metrics for /metrics: what the agents did, summed from each app's all-time insights row
// (projections/insights.h) when Prometheus scrapes. Read from the projections, they are exact
// after a restart or a replay, and every node of a Kafka deployment (a full replica) reports the
// same values: read them from one node or with max(), never sum() across nodes.
//
// No label names a session, a conversation or a tool. Apps are labelled (app="<slug>") only when
// per_app is set, and then at most kMaxAppSeries of them (in slug order); the rest are summed
// under app="other". Thread-safe; the store must outlive it.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "storage/store.h"

namespace voxbase {

class BusinessMetrics {
 public:
  static constexpr size_t kMaxAppSeries = 50;
  BusinessMetrics(const ProjectionStore& store, bool per_app) : store_(store), per_app_(per_app) {}
  std::vector<prometheus::MetricFamily> Collect() const;

 private:
  const ProjectionStore& store_;
  const bool per_app_;
};

}  // namespace voxbase
