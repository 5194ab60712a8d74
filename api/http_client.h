// BlockingHttpClient: a small keep-alive HTTP/1.1 client on Beast, for the command-line tools,
// the tests and the benchmarks' checks. One connection, one request at a time, reconnecting when
// the server closed the connection. Not thread-safe; one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/http.h"

namespace voxbase {

class BlockingHttpClient {
 public:
  BlockingHttpClient(std::string host, uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~BlockingHttpClient();

  Result<HttpResponse> Request(
      std::string_view method, std::string_view target, std::string body = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "http://host:port" into host and port.
bool ParseHttpUrl(std::string_view url, std::string* host, uint16_t* port);

}  // namespace voxbase
