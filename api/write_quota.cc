#include "api/write_quota.h"

#include <algorithm>
#include <cmath>

#include "projections/apps.h"

namespace voxbase {

WriteQuota::WriteQuota(const Clock& clock, const ProjectionStore& store, WriteRate server_default,
                       std::function<void(const std::string& app_id)> on_refused)
    : clock_(clock), store_(store), default_(server_default), on_refused_(std::move(on_refused)) {}

WriteRate WriteQuota::RateOf(const std::string& app_id) const {
  Result<std::optional<AppRecord>> app = AppsView(store_).Get(app_id);
  if (!app.ok() || !app->has_value() || !(*app)->write_rate) return default_;
  return WriteRate{*(*app)->write_rate, (*app)->write_burst.value_or(*(*app)->write_rate)};
}

int64_t WriteQuota::Take(const std::string& app_id) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = buckets_.find(app_id);
  if (it == buckets_.end()) {
    lock.unlock();
    const WriteRate rate = RateOf(app_id);  // a store read, outside the lock
    lock.lock();
    const int64_t now = clock_.NowMillis();
    if (buckets_.size() >= kMaxApps) {
      // Forgetting a bucket that has refilled completely changes nothing.
      std::erase_if(buckets_, [&](const auto& entry) {
        const Bucket& b = entry.second;
        return b.tokens + static_cast<double>(now - b.updated_ms) * b.rate.per_second / 1000.0 >=
               b.rate.burst;
      });
    }
    it = buckets_.try_emplace(app_id, Bucket{rate, rate.burst, now}).first;
  }
  Bucket& b = it->second;
  if (b.rate.per_second <= 0) return 0;
  const int64_t now = clock_.NowMillis();
  b.tokens = std::min(b.rate.burst, b.tokens + static_cast<double>(now - b.updated_ms) *
                                                   b.rate.per_second / 1000.0);
  b.updated_ms = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  const int64_t wait_s =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) / b.rate.per_second)));
  lock.unlock();
  on_refused_(app_id);
  return wait_s;
}

}  // namespace voxbase
