#include "api/write_quota.h"

#include "projections/apps.h"

namespace voxbase {

WriteQuota::WriteQuota(const Clock& clock, const ProjectionStore& store, WriteRate server_default,
                       std::function<void(const std::string& app_id)> on_refused)
    : store_(store),
      default_(server_default),
      on_refused_(std::move(on_refused)),
      buckets_(clock, 0, 0) {}

WriteRate WriteQuota::RateOf(const std::string& app_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = rates_.find(app_id);
    if (it != rates_.end()) return it->second;
  }
  WriteRate rate = default_;  // a store read, outside the lock
  Result<std::optional<AppRecord>> app = AppsView(store_).Get(app_id);
  if (app.ok() && app->has_value() && (*app)->write_rate) {
    rate = WriteRate{*(*app)->write_rate, (*app)->write_burst.value_or(*(*app)->write_rate)};
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (rates_.size() >= kMaxApps) rates_.clear();
  rates_[app_id] = rate;
  return rate;
}

int64_t WriteQuota::Take(const std::string& app_id) {
  const WriteRate rate = RateOf(app_id);
  if (rate.per_second <= 0) return 0;
  const int64_t wait_s = buckets_.Take(app_id, rate.per_second, rate.burst);
  if (wait_s > 0) on_refused_(app_id);
  return wait_s;
}

}  // namespace voxbase
