// RateLimiter: a token bucket per key (an app id), refilled continuously on an injected clock.
// Used on every token-minting endpoint at one rate, and by WriteQuota with a rate per app.
// Bounded: at most kMaxKeys buckets are kept; past that the full ones are dropped. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "schemas/clock.h"

namespace voxbase {

class RateLimiter {
 public:
  // `per_minute` tokens a minute, at most `burst` at once: the rate of Take(key).
  RateLimiter(const Clock& clock, double per_minute, double burst);

  // 0 when one token was taken; otherwise the seconds to wait for one (for Retry-After).
  int64_t Take(const std::string& key);
  // The same at `per_second` with `burst`, for a key whose rate is its own.
  int64_t Take(const std::string& key, double per_second, double burst);

 private:
  static constexpr size_t kMaxKeys = 100000;
  struct Bucket {
    double tokens;
    int64_t updated_ms;
  };
  const Clock& clock_;
  const double per_ms_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace voxbase
