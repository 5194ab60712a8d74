#include "api/beast_request.h"

#include <array>

namespace voxbase {
namespace {

// Only these reach handlers; the rest of a request's headers are the server's business.
constexpr std::array<std::string_view, 5> kHeadersForHandlers = {
    "authorization", "x-app-slug", "x-app-secret", "idempotency-key", "origin"};

}  // namespace

void LimitParser(BeastParser& parser, uint64_t max_body_bytes, uint32_t max_header_bytes) {
  parser.body_limit(max_body_bytes);
  parser.header_limit(max_header_bytes);
}

Result<HttpRequest> ToHttpRequest(BeastRequest& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  std::string_view target = req.target();
  size_t q = target.find('?');
  request.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos && !ParseQueryString(target.substr(q + 1), &request.query)) {
    return InvalidArgument("malformed query string");
  }
  for (std::string_view name : kHeadersForHandlers) {
    auto it = req.find(name);
    if (it != req.end()) request.headers.emplace_back(name, it->value());
  }
  request.body = std::move(req.body());
  return request;
}

}  // namespace voxbase
