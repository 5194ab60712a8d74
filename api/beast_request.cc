#include "api/beast_request.h"

#include <algorithm>
#include <array>

namespace voxbase {
namespace {

// Only these reach handlers; the rest of a request's headers are the server's business.
constexpr std::array<std::string_view, 5> kHeadersForHandlers = {
    "authorization", "x-app-slug", "x-app-secret", "idempotency-key", "origin"};

constexpr std::array<std::string_view, 3> kCredentialQueryParameters = {"appSlug", "appSecret",
                                                                        "sessionToken"};

bool SafeInHeader(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void AppendHeader(std::string* out, std::string_view name, std::string_view value) {
  out->append(name).append(": ").append(value).append("\r\n");
}

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
  // A credential given twice is refused, as in a JSON body: a proxy in front that takes the other
  // copy would authorize another app than the one voxbase resolves.
  for (std::string_view name : kCredentialQueryParameters) {
    if (std::count_if(request.query.begin(), request.query.end(),
                      [name](const auto& p) { return p.first == name; }) > 1) {
      return InvalidArgument("the query parameter " + std::string(name) + " appears twice");
    }
  }
  for (std::string_view name : kHeadersForHandlers) {
    if (req.count(name) > 1) {
      return InvalidArgument("the header " + std::string(name) + " appears twice");
    }
    auto it = req.find(name);
    if (it != req.end()) request.headers.emplace_back(name, it->value());
  }
  request.body = std::move(req.body());
  return request;
}

void SerializeResponse(const HttpResponse& response, unsigned version, bool keep_alive,
                       std::string* out) {
  namespace http = boost::beast::http;
  const unsigned minor = version % 10;
  out->clear();
  out->append(minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out->append(std::to_string(response.status)).append(" ");
  out->append(http::obsolete_reason(static_cast<http::status>(response.status))).append("\r\n");
  AppendHeader(out, "Server", "voxbase");
  if (SafeInHeader(response.content_type)) AppendHeader(out, "Content-Type", response.content_type);
  const auto& headers = response.headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    const std::string& name = headers[i].first;    // not a structured binding: clang 14 cannot
    const std::string& value = headers[i].second;  // capture one in the lambda below
    // A name set twice keeps its last value, as Beast's set() did.
    const bool set_again =
        std::any_of(headers.begin() + static_cast<ptrdiff_t>(i) + 1, headers.end(),
                    [&](const auto& later) { return boost::beast::iequals(later.first, name); });
    if (!set_again && !name.empty() && SafeInHeader(name) && SafeInHeader(value)) {
      AppendHeader(out, name, value);
    }
  }
  if (minor == 0 && keep_alive) AppendHeader(out, "Connection", "keep-alive");
  if (minor != 0 && !keep_alive) AppendHeader(out, "Connection", "close");
  AppendHeader(out, "Content-Length", std::to_string(response.body.size()));
  out->append("\r\n").append(response.body);
}

}  // namespace voxbase
