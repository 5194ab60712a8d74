#include "processors/applied_watermark.h"

#include <algorithm>

namespace voxbase {

AppliedWatermark::AppliedWatermark(const Clock& clock, int partitions)
    : clock_(clock),
      next_(static_cast<size_t>(partitions), 0),
      waiters_(static_cast<size_t>(partitions)),
      pending_(static_cast<size_t>(partitions)) {}

void AppliedWatermark::UpdateOldestLocked() {
  int64_t oldest = kNone;
  for (const auto& pending : pending_) {
    if (!pending.empty()) oldest = std::min(oldest, pending.front().since_ms);
  }
  oldest_pending_ms_.store(oldest, std::memory_order_relaxed);
}

int64_t AppliedWatermark::BehindMs() const {
  const int64_t oldest = oldest_pending_ms_.load(std::memory_order_relaxed);
  return oldest == kNone ? 0 : std::max<int64_t>(0, clock_.MonotonicMillis() - oldest);
}

void AppliedWatermark::WhenApplied(const LogPosition& position, int64_t deadline_ms,
                                   Callback done) {
  const int64_t now = clock_.MonotonicMillis();
  bool ready = false;
  bool failed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto p = static_cast<size_t>(position.partition);
    if (p >= next_.size()) {
      next_.resize(p + 1, 0);
      waiters_.resize(p + 1);
      pending_.resize(p + 1);
    }
    if (failed_) {
      failed = true;
    } else if (position.offset < next_[p]) {
      ready = true;
    } else {
      waiters_[p].emplace(position.offset, Waiter{deadline_ms, std::move(done)});
      auto& pending = pending_[p];
      if (!pending.empty() && pending.back().since_ms == now) {
        pending.back().last_offset = std::max(pending.back().last_offset, position.offset);
      } else {
        pending.push_back({position.offset, now});
        if (pending.size() == 1) UpdateOldestLocked();
      }
      return;
    }
  }
  done(ready && !failed);
}

void AppliedWatermark::Advance(int32_t partition, int64_t next_offset) {
  std::vector<Callback> ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto p = static_cast<size_t>(partition);
    if (p >= next_.size()) {
      next_.resize(p + 1, 0);
      waiters_.resize(p + 1);
      pending_.resize(p + 1);
    }
    if (next_offset <= next_[p]) return;
    next_[p] = next_offset;
    auto& pending = pending_[p];
    // Registrations come in about offset order, so the entries ahead of the first unapplied one
    // are all applied.
    while (!pending.empty() && pending.front().last_offset < next_offset) pending.pop_front();
    UpdateOldestLocked();
    auto& waiting = waiters_[p];
    auto end = waiting.lower_bound(next_offset);
    for (auto it = waiting.begin(); it != end; ++it) ready.push_back(std::move(it->second.done));
    waiting.erase(waiting.begin(), end);
  }
  for (auto& done : ready) done(true);
}

void AppliedWatermark::ExpireOverdue() {
  const int64_t now = clock_.MonotonicMillis();
  std::vector<Callback> expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& waiting : waiters_) {
      for (auto it = waiting.begin(); it != waiting.end();) {
        if (it->second.deadline_ms <= now) {
          expired.push_back(std::move(it->second.done));
          it = waiting.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  for (auto& done : expired) done(false);
}

void AppliedWatermark::FailAll() {
  std::vector<Callback> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = true;
    for (auto& pending : pending_) pending.clear();
    UpdateOldestLocked();
    for (auto& waiting : waiters_) {
      for (auto& [offset, waiter] : waiting) failed.push_back(std::move(waiter.done));
      waiting.clear();
    }
  }
  for (auto& done : failed) done(false);
}

int64_t AppliedWatermark::next_offset(int32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto p = static_cast<size_t>(partition);
  return p < next_.size() ? next_[p] : 0;
}

size_t AppliedWatermark::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& w : waiters_) n += w.size();
  return n;
}

}  // namespace voxbase
