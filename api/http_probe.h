// HttpProbe: request counts by route, method and status, and latency by route and status
// (voxbase_http_requests_total, voxbase_http_request_duration_seconds). Routes are the router's
// fixed paths or "unmatched", so label sets stay bounded. Thread-safe.
#pragma once

#include <memory>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace voxbase {

class HttpProbe {
 public:
  explicit HttpProbe(prometheus::Registry& registry);
  ~HttpProbe();
  HttpProbe(const HttpProbe&) = delete;
  HttpProbe& operator=(const HttpProbe&) = delete;

  void OnRequest(std::string_view route, std::string_view method, int status, double seconds);

 private:
  struct Metrics;
  std::unique_ptr<Metrics> m_;
};

}  // namespace voxbase
