// BlockingPool: a few threads for work that waits on the network (outbound calls to tool
// endpoints and model providers), so a slow upstream never holds one of the HTTP threads that
// every connection shares. The queue is bounded: Post() refuses work beyond it, and the caller
// answers 503. Lifecycle: threads start in the constructor; the destructor finishes queued work
// and joins. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace voxbase {

class BlockingPool {
 public:
  BlockingPool(int threads, size_t max_queued);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // False when the queue is full; `work` then never runs.
  bool Post(std::function<void()> work);

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace voxbase
