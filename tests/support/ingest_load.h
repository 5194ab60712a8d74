// IngestLoad: concurrent writers for durability tests. Each writer posts one message per request
// to its own session on one node, until stopped or until its node stops answering, and remembers
// which messages were acknowledged. ExpectEachAckedOnce() then checks a node: every acknowledged
// message is there, and no message is there twice. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/http_client.h"

namespace voxbase::testing {

// Every message content of a session, following the cursor to the end.
std::vector<std::string> AllMessages(BlockingHttpClient& client, const std::string& session,
                                     const std::string& query_auth);

class IngestLoad {
 public:
  IngestLoad(std::string slug, std::string secret)
      : slug_(std::move(slug)), secret_(std::move(secret)) {}
  ~IngestLoad() { Stop(); }

  // Adds `writers` writers against the node on `port`, their sessions named "<prefix>-<n>".
  void Start(uint16_t port, int writers, const std::string& prefix);
  void Stop();
  int64_t acked() const { return acked_count_.load(); }
  // Waits until at least `count` writes were acknowledged, or `seconds` pass.
  bool WaitForAcks(int64_t count, int seconds) const;

  // On the node at `port`: all acknowledged messages present, none twice. Returns how many.
  size_t ExpectEachAckedOnce(uint16_t port) const;
  std::string QueryAuth() const { return "appSlug=" + slug_ + "&appSecret=" + secret_; }

 private:
  std::string slug_;
  std::string secret_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> acked_count_{0};
  std::atomic<int64_t> sequence_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::set<std::string>> acked_;  // session → contents, guarded by mu_
  std::vector<std::thread> writers_;
};

}  // namespace voxbase::testing
