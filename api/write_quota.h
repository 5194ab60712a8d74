// WriteQuota: a token bucket per app on the events its requests append, so one app's burst cannot
// starve the others on a shared node. Each app refills at its own rate: the one it was created
// with (writeRate and writeBurst on POST /api/admin/apps), or the server's (--app-write-rate,
// --app-write-burst). A rate of 0 means no limit. An app's rate is read from its row once and
// kept: it is fixed at creation. Bounded; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/rate_limiter.h"
#include "schemas/clock.h"
#include "storage/store.h"

namespace voxbase {

struct WriteRate {
  double per_second = 0;  // 0: no limit
  double burst = 0;
};

class WriteQuota {
 public:
  // `on_refused` is called with the app id of every refusal (its metric).
  WriteQuota(const Clock& clock, const ProjectionStore& store, WriteRate server_default,
             std::function<void(const std::string& app_id)> on_refused);

  // 0 when the app may append one event now (and it is counted); otherwise the whole seconds to
  // wait (for Retry-After).
  int64_t Take(const std::string& app_id);

 private:
  static constexpr size_t kMaxApps = 100000;
  WriteRate RateOf(const std::string& app_id);

  const ProjectionStore& store_;
  const WriteRate default_;
  const std::function<void(const std::string&)> on_refused_;
  RateLimiter buckets_;
  std::mutex mu_;
  std::unordered_map<std::string, WriteRate> rates_;  // guarded by mu_
};

}  // namespace voxbase
