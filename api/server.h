// HttpServer: the Boost.Beast HTTP/1.1 server in front of the Router.
//
// One io_context per thread (`threads` of them); one Session object per connection (Beast's
// advanced server example): keep-alive, a body limit (413), a header limit (431), a read timeout,
// one request in flight per connection. Malformed HTTP gets a 400 and the connection is closed.
// Handlers answer through Respond from any thread; the write happens on the connection's thread.
//
// Lifecycle: Start() binds and runs; StopAccepting() and Drain() let in-flight requests finish;
// Stop() ends everything. The router and probe must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_probe.h"
#include "api/router.h"
#include "schemas/status.h"

namespace voxbase {

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int threads = 2;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 * 1024;
  // At the cap, the connection idle longest (waiting for a request) is closed to admit a new one,
  // as nginx does with reusable connections; with none idle, the new one is closed.
  int64_t max_connections = 10000;
  // One client address holds at most this many connections; more are closed at accept.
  int64_t max_connections_per_client = 2500;
  // A request's headers must arrive within header_timeout of the connection opening;
  // between requests a kept-alive connection may wait idle_timeout; a body must arrive within
  // read_timeout of its headers.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::seconds read_timeout{30};
};

// Raises the soft file-descriptor limit to what `max_connections` needs (plus room for the log,
// the store and clients). Returns the connections that fit: `max_connections`, or fewer when
// the hard limit is lower.
int64_t FitConnectionsToFileLimit(int64_t max_connections);

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router, HttpProbe* probe);
  ~HttpServer();

  // Returns the bound port.
  Result<uint16_t> Start();
  void StopAccepting();
  // Waits up to `timeout` for requests already read to be answered.
  void Drain(std::chrono::milliseconds timeout);
  void Stop();

  struct Impl;  // defined in server.cc; public so the connection sessions there can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace voxbase
