#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace voxbase {

RateLimiter::RateLimiter(const Clock& clock, double per_minute, double burst)
    : clock_(clock), per_ms_(per_minute / 60000.0), burst_(burst) {}

int64_t RateLimiter::Take(const std::string& key) { return Take(key, per_ms_ * 1000.0, burst_); }

int64_t RateLimiter::Take(const std::string& key, double per_second, double burst) {
  const double per_ms = per_second / 1000.0;
  const int64_t now = clock_.NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.size() >= kMaxKeys && !buckets_.contains(key)) {
    // Drop every bucket that has been idle long enough to be full at any rate up to this one's:
    // forgetting a full bucket changes nothing.
    std::erase_if(buckets_, [&](const auto& entry) {
      return entry.second.tokens + static_cast<double>(now - entry.second.updated_ms) * per_ms >=
             burst;
    });
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst, b.tokens + static_cast<double>(now - b.updated_ms) * per_ms);
  b.updated_ms = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  if (per_ms <= 0) return 60;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) / per_ms / 1000.0)));
}

}  // namespace voxbase
