// FakeUpstream: a real HTTP/1.1 server on 127.0.0.1 at a free port, answering as a test tells it
// to — the stand-in for OpenAI, Gemini, LiveKit or a tool endpoint (only the internet edge is
// faked). It keeps connections alive, records every request, and can answer late, answer with
// anything, or close in the middle of an answer.
//
// Lifecycle: the constructor binds and starts serving; the destructor closes every connection and
// joins its threads. The handler runs on a connection's thread; requests() is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace voxbase::testing {

struct UpstreamRequest {
  std::string method;
  std::string target;                                        // path and query
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string Header(std::string_view lower_case_name) const;
};

struct UpstreamReply {
  int status = 200;
  std::string body = "{}";
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool close_mid_body = false;         // send the headers and half the body, then close
};

class FakeUpstream {
 public:
  using Handler = std::function<UpstreamReply(const UpstreamRequest&)>;
  explicit FakeUpstream(Handler handler);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>" + path
  std::string Url(std::string_view path = "") const;
  std::vector<UpstreamRequest> requests() const;
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<UpstreamRequest> requests_;  // guarded by mu_
  std::vector<int> open_fds_;              // guarded by mu_
  std::vector<std::thread> workers_;       // guarded by mu_
};

}  // namespace voxbase::testing
