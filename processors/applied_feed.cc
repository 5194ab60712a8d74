#include "processors/applied_feed.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <deque>

namespace voxbase {

struct AppliedFeed::Queue {
  std::mutex mu;
  std::condition_variable changed;
  const size_t capacity;
  std::deque<AppliedRecord> records;  // guarded by mu
  bool lost = false;                  // guarded by mu: records were dropped since the last take
  LogPosition first_lost{};           // guarded by mu
  bool cancelled = false;             // guarded by mu
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> dropped{0};
  prometheus::Counter* delivered_metric = nullptr;
  prometheus::Counter* dropped_metric = nullptr;

  explicit Queue(size_t cap) : capacity(cap == 0 ? 1 : cap) {}
};

AppliedFeed::AppliedFeed(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  records_family_ = &prometheus::BuildCounter()
                         .Name("voxbase_applied_feed_records_total")
                         .Help(
                             "Applied records handed to each in-process subscriber of the "
                             "applied feed (outcome delivered), or dropped because its queue "
                             "was full (outcome dropped; it was then sent a gap marker)")
                         .Register(*registry);
}

AppliedFeed::~AppliedFeed() = default;

std::unique_ptr<AppliedFeed::Subscription> AppliedFeed::Subscribe(std::string name,
                                                                  size_t capacity) {
  auto queue = std::make_shared<Queue>(capacity);
  if (records_family_ != nullptr) {
    queue->delivered_metric =
        &records_family_->Add({{"subscriber", name}, {"outcome", "delivered"}});
    queue->dropped_metric = &records_family_->Add({{"subscriber", name}, {"outcome", "dropped"}});
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queues_.push_back(queue);
  }
  subscribers_.fetch_add(1);
  receiving_.fetch_add(1);
  return std::unique_ptr<Subscription>(new Subscription(*this, std::move(queue)));
}

void AppliedFeed::Leave(Queue* queue) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    if (it->get() == queue) {
      std::lock_guard<std::mutex> queue_lock(queue->mu);
      if (!queue->lost) receiving_.fetch_sub(1);
      queues_.erase(it);
      subscribers_.fetch_sub(1);
      return;
    }
  }
}

void AppliedFeed::Publish(const std::vector<AppliedRecord>& records) {
  if (records.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::shared_ptr<Queue>& queue : queues_) {
    uint64_t delivered = 0;
    uint64_t dropped = 0;
    {
      std::lock_guard<std::mutex> queue_lock(queue->mu);
      for (const AppliedRecord& record : records) {
        if (!queue->lost && queue->records.size() >= queue->capacity) {
          queue->lost = true;
          queue->first_lost = record.position;
          receiving_.fetch_sub(1);
        }
        if (queue->lost) {
          ++dropped;
          continue;
        }
        queue->records.push_back(record);
        ++delivered;
      }
    }
    queue->changed.notify_all();
    queue->delivered += delivered;
    queue->dropped += dropped;
    if (queue->delivered_metric != nullptr && delivered > 0) {
      queue->delivered_metric->Increment(static_cast<double>(delivered));
    }
    if (queue->dropped_metric != nullptr && dropped > 0) {
      queue->dropped_metric->Increment(static_cast<double>(dropped));
    }
  }
}

void AppliedFeed::Drop(LogPosition first, uint64_t count) {
  if (count == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::shared_ptr<Queue>& queue : queues_) {
    {
      std::lock_guard<std::mutex> queue_lock(queue->mu);
      if (!queue->lost) {
        queue->lost = true;
        queue->first_lost = first;
        receiving_.fetch_sub(1);
      }
    }
    queue->changed.notify_all();
    queue->dropped += count;
    if (queue->dropped_metric != nullptr)
      queue->dropped_metric->Increment(static_cast<double>(count));
  }
}

AppliedFeed::Subscription::~Subscription() { feed_.Leave(queue_.get()); }

std::vector<FeedItem> AppliedFeed::Subscription::Next(std::chrono::milliseconds timeout) {
  std::vector<FeedItem> items;
  std::unique_lock<std::mutex> lock(queue_->mu);
  queue_->changed.wait_for(lock, timeout, [this] {
    return queue_->cancelled || !queue_->records.empty() || queue_->lost;
  });
  if (queue_->cancelled) return items;
  items.reserve(queue_->records.size() + 1);
  for (AppliedRecord& record : queue_->records) {
    items.push_back(FeedItem{false, {}, std::move(record)});
  }
  queue_->records.clear();
  if (queue_->lost) {
    items.push_back(FeedItem{true, queue_->first_lost, {}});
    queue_->lost = false;
    feed_.receiving_.fetch_add(1);
  }
  return items;
}

void AppliedFeed::Subscription::Cancel() {
  {
    std::lock_guard<std::mutex> lock(queue_->mu);
    queue_->cancelled = true;
  }
  queue_->changed.notify_all();
}

uint64_t AppliedFeed::Subscription::delivered() const { return queue_->delivered.load(); }
uint64_t AppliedFeed::Subscription::dropped() const { return queue_->dropped.load(); }

}  // namespace voxbase
