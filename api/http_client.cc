#include "api/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <optional>

namespace voxbase {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct BlockingHttpClient::Impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  Status Connect() {
    stream.emplace(ioc);
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Status(StatusCode::kUnavailable, "resolve " + host + ": " + ec.message());
    stream->expires_after(timeout);
    stream->connect(endpoints, ec);
    if (ec) {
      stream.reset();
      return Status(StatusCode::kUnavailable,
                    "connect " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    buffer.clear();
    return Status::Ok();
  }

  Result<HttpResponse> Once(http::request<http::string_body>& req) {
    beast::error_code ec;
    stream->expires_after(timeout);
    http::write(*stream, req, ec);
    if (ec) return Status(StatusCode::kUnavailable, "write: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(64ull << 20);
    http::read(*stream, buffer, parser, ec);
    if (ec) return Status(StatusCode::kUnavailable, "read: " + ec.message());
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.content_type = std::string(res[http::field::content_type]);
    for (const auto& field : res) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

BlockingHttpClient::BlockingHttpClient(std::string host, uint16_t port,
                                       std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

BlockingHttpClient::~BlockingHttpClient() = default;

Result<HttpResponse> BlockingHttpClient::Request(
    std::string_view method, std::string_view target, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->host);
  req.keep_alive(true);
  for (const auto& [name, value] : headers) req.insert(name, value);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    if (req[http::field::content_type].empty())
      req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }
  // A kept-alive connection the server has since closed fails once; retry on a fresh one.
  bool fresh = !impl_->stream.has_value();
  if (fresh) VOX_RETURN_IF_ERROR(impl_->Connect());
  Result<HttpResponse> response = impl_->Once(req);
  if (!response.ok() && !fresh) {
    VOX_RETURN_IF_ERROR(impl_->Connect());
    response = impl_->Once(req);
  }
  if (!response.ok()) impl_->stream.reset();
  return response;
}

bool ParseHttpUrl(std::string_view url, std::string* host, uint16_t* port) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  url.remove_prefix(kScheme.size());
  while (url.ends_with('/')) url.remove_suffix(1);
  size_t colon = url.rfind(':');
  if (colon == std::string_view::npos) {
    *host = std::string(url);
    *port = 80;
    return !host->empty();
  }
  *host = std::string(url.substr(0, colon));
  std::string_view digits = url.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *port);
  return ec == std::errc() && end == digits.data() + digits.size() && !host->empty();
}

}  // namespace voxbase
