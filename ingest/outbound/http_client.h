// HttpClient: the one way voxbase calls out — tool endpoints, token minting, embeddings, LiveKit.
//
// Every call has a deadline (across retries), a cap on the response size, and no redirect to
// another host (same-host redirects are followed, at most 3). Calls marked retry_safe are retried
// at most twice, after a connection failure or a 502/503/504, with a short backoff inside the
// deadline. Connections are reused across calls.
//
// The address guard refuses loopback, private (RFC 1918, CGNAT, unique-local), link-local
// (including the 169.254.169.254 metadata address), unspecified, multicast and reserved addresses,
// and the IPv6 forms that carry an IPv4 address judged by that address (mapped, compatible, SIIT,
// NAT64 64:ff9b::/96, 6to4), with local-use NAT64, Teredo and discard-only refused outright. A
// refusal answers only "the endpoint's address is not allowed"; what the name resolved to goes to
// the server's log, never to the caller. It is checked on the address each name resolved to, at
// the moment the socket is opened, so the connection is pinned to an address that passed: a name
// that resolves to 127.0.0.1, or re-resolves to it later (DNS rebinding), is refused. Connections
// opened for unguarded calls (allow_private: configured provider base URLs, or the server flag for
// tool endpoints) are never reused by guarded ones.
//
// Errors: the guard → PermissionDenied; the deadline → DeadlineExceeded; a refused redirect, an
// oversized answer, a connection that failed or closed mid-answer → UpstreamError. A non-2xx answer
// is not an error: it comes back with its status. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schemas/status.h"

namespace voxbase {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;  // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  size_t max_response_bytes = 1 << 20;
  bool retry_safe = false;
  bool allow_private = false;
};

struct OutboundResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  int64_t duration_ms = 0;
  int attempts = 0;

  std::string_view Header(std::string_view lower_case_name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<OutboundResponse> Send(const OutboundRequest& request) = 0;
};

// The libcurl implementation.
std::unique_ptr<HttpClient> NewCurlHttpClient();

// Why `address` (numeric IPv4 or IPv6) may not be called, or empty when it may.
std::string GuardRefusal(std::string_view address);

// Checks a URL's form before any call: http or https, a host, no credentials in it.
Status CheckOutboundUrl(std::string_view url);

// Resolves the URL's host now and refuses it (PermissionDenied) when any address it resolves to
// is one the guard refuses, or (UpstreamError) when it does not resolve. For checking a tool's
// endpoint when it is registered; every call is still checked again at connect time.
Status CheckOutboundHost(std::string_view url);

}  // namespace voxbase
