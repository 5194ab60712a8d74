// AppliedFeed: what the processor runner applied, handed to in-process subscribers after each
// commit — position, app, event type and id, and which rows of which tables the event changed.
//
// Each subscriber has a bounded queue. Publishing never waits for a subscriber: when a queue is
// full the record is dropped, and so is every later one until the subscriber takes what is queued;
// it then receives a gap marker carrying the first position it lost, after the records that came
// before it. A subscriber that sees a gap resyncs from the projections (they hold at least
// everything published). Records are published in log order per partition, only once committed:
// what a subscriber sees is durable, and a record is never seen twice by one subscription.
// `/metrics` counts each subscriber's delivered and dropped records
// (voxbase_applied_feed_records_total{subscriber, outcome}). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "schemas/event.h"
#include "storage/event_log.h"

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace voxbase {

struct ChangedRow {
  int family;  // Family(table)
  std::string key;
};

struct AppliedRecord {
  LogPosition position;
  std::string app_id;
  EventType type;
  std::string event_id;
  std::vector<ChangedRow> rows;  // each once, in the order first changed
};

// One item a subscriber takes: a record, or a gap (records from `first_lost` on were dropped).
struct FeedItem {
  bool gap = false;
  LogPosition first_lost{};
  AppliedRecord record;
};

class AppliedFeed {
 public:
  // `registry` may be null (no metrics); it must outlive the feed.
  explicit AppliedFeed(prometheus::Registry* registry = nullptr);
  ~AppliedFeed();
  AppliedFeed(const AppliedFeed&) = delete;
  AppliedFeed& operator=(const AppliedFeed&) = delete;

  class Subscription;
  // Records published from now on reach the subscription until it is destroyed. `name` labels
  // its metrics.
  std::unique_ptr<Subscription> Subscribe(std::string name, size_t capacity);

  // Whether anyone subscribes.
  bool active() const { return subscribers_.load(std::memory_order_relaxed) > 0; }
  // Whether a subscriber would take a record now (one whose queue overflowed drops everything
  // until it has taken its queue): the runner lists changed rows only then.
  bool wants_records() const { return receiving_.load(std::memory_order_relaxed) > 0; }

  // The runner, after a commit.
  void Publish(const std::vector<AppliedRecord>& records);
  // The runner, after a commit it did not list (nobody wanted records): `count` records from
  // `first` on, which every subscriber drops (one that took its queue meanwhile is sent a gap).
  void Drop(LogPosition first, uint64_t count);

 private:
  struct Queue;
  void Leave(Queue* queue);

  prometheus::Family<prometheus::Counter>* records_family_ = nullptr;
  std::mutex mu_;  // guards queues_
  std::list<std::shared_ptr<Queue>> queues_;
  std::atomic<int> subscribers_{0};
  std::atomic<int> receiving_{0};  // subscribers whose queue has not overflowed

  friend class Subscription;
};

class AppliedFeed::Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Waits until something is queued, `timeout` passed or Cancel() was called; returns what is
  // queued, in order (empty on a timeout or once cancelled).
  std::vector<FeedItem> Next(std::chrono::milliseconds timeout);
  // Wakes Next, now and from then on.
  void Cancel();
  uint64_t delivered() const;
  uint64_t dropped() const;

 private:
  friend class AppliedFeed;
  Subscription(AppliedFeed& feed, std::shared_ptr<Queue> queue)
      : feed_(feed), queue_(std::move(queue)) {}
  AppliedFeed& feed_;
  std::shared_ptr<Queue> queue_;
};

}  // namespace voxbase
