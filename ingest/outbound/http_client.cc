#include "ingest/outbound/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace voxbase {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kMaxRedirects = 3;
constexpr int kMaxAttempts = 3;

struct V4Range {
  uint32_t base;
  int bits;
  std::string_view what;
};

constexpr uint32_t V4(int a, int b, int c, int d) {
  return (static_cast<uint32_t>(a) << 24) | (static_cast<uint32_t>(b) << 16) |
         (static_cast<uint32_t>(c) << 8) | static_cast<uint32_t>(d);
}

constexpr std::array<V4Range, 15> kRefusedV4 = {{
    {V4(0, 0, 0, 0), 8, "an unspecified (0.0.0.0/8)"},
    {V4(10, 0, 0, 0), 8, "a private (10/8)"},
    {V4(100, 64, 0, 0), 10, "a carrier-grade NAT (100.64/10)"},
    {V4(127, 0, 0, 0), 8, "a loopback"},
    {V4(169, 254, 0, 0), 16, "a link-local or cloud metadata (169.254/16)"},
    {V4(172, 16, 0, 0), 12, "a private (172.16/12)"},
    {V4(192, 0, 0, 0), 24, "a reserved (192.0.0/24)"},
    {V4(192, 0, 2, 0), 24, "a documentation"},
    {V4(192, 168, 0, 0), 16, "a private (192.168/16)"},
    {V4(198, 18, 0, 0), 15, "a benchmarking (198.18/15)"},
    {V4(198, 51, 100, 0), 24, "a documentation"},
    {V4(203, 0, 113, 0), 24, "a documentation"},
    {V4(224, 0, 0, 0), 4, "a multicast"},
    {V4(240, 0, 0, 0), 4, "a reserved (240/4)"},
    {V4(255, 255, 255, 255), 32, "the broadcast"},
}};

std::string_view RefusedV4(uint32_t address) {
  for (const V4Range& r : kRefusedV4) {
    uint32_t mask = r.bits == 0 ? 0 : ~uint32_t{0} << (32 - r.bits);
    if ((address & mask) == r.base) return r.what;
  }
  return {};
}

uint32_t V4At(const unsigned char* a) {
  return (static_cast<uint32_t>(a[0]) << 24) | (static_cast<uint32_t>(a[1]) << 16) |
         (static_cast<uint32_t>(a[2]) << 8) | a[3];
}

// IPv6 forms that carry an IPv4 address are judged by that address (mapped, compatible, SIIT,
// well-known NAT64, 6to4); the ranges whose embedded address cannot be trusted to be where a
// public one would be (local-use NAT64, Teredo, discard-only) are refused outright.
std::string_view RefusedV6(const unsigned char (&a)[16]) {
  static const unsigned char kZero[16] = {};
  if (std::memcmp(a, kZero, 15) == 0 && (a[15] == 0 || a[15] == 1)) {
    return a[15] == 0 ? "an unspecified" : "a loopback";
  }
  const bool compatible = std::memcmp(a, kZero, 12) == 0;  // ::a.b.c.d (deprecated)
  const bool mapped = std::memcmp(a, kZero, 10) == 0 && a[10] == 0xff && a[11] == 0xff;
  const bool siit = std::memcmp(a, kZero, 8) == 0 && a[8] == 0xff && a[9] == 0xff && a[10] == 0 &&
                    a[11] == 0;  // ::ffff:0:a.b.c.d
  const bool nat64 = a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b &&
                     std::memcmp(a + 4, kZero, 8) == 0;  // 64:ff9b::/96
  if (compatible || mapped || siit || nat64) {
    std::string_view why = RefusedV4(V4At(a + 12));
    return why.empty() && compatible ? "an IPv4-compatible (::/96)" : why;
  }
  if (a[0] == 0x20 && a[1] == 0x02) return RefusedV4(V4At(a + 2));  // 6to4, 2002::/16
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && a[4] == 0x00 &&
      a[5] == 0x01) {
    return "a local-use NAT64 (64:ff9b:1::/48)";
  }
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00) return "a Teredo (2001::/32)";
  if (a[0] == 0x01 && std::memcmp(a + 1, kZero, 7) == 0) return "a discard-only (100::/64)";
  if ((a[0] & 0xfe) == 0xfc) return "a unique-local (fc00::/7)";
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return "a link-local (fe80::/10)";
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return "a site-local (fec0::/10)";
  if (a[0] == 0xff) return "a multicast";
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return "a documentation";
  return {};
}

// What one curl_easy_perform needs to see; passed as callback data.
struct Exchange {
  bool allow_private = false;
  size_t max_bytes = 0;
  std::string refusal;
  bool too_large = false;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

curl_socket_t OpenSocket(void* data, curlsocktype, curl_sockaddr* address) {
  auto* exchange = static_cast<Exchange*>(data);
  if (!exchange->allow_private) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address->family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address->addr)->sin_addr, text,
                sizeof(text));
    } else if (address->family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address->addr)->sin6_addr, text,
                sizeof(text));
    } else {
      exchange->refusal = "an address of an unknown family";
      return CURL_SOCKET_BAD;
    }
    std::string why = GuardRefusal(text);
    if (!why.empty()) {
      exchange->refusal = why;
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  size_t n = size * count;
  if (exchange->body.size() + n > exchange->max_bytes) {
    exchange->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  exchange->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    exchange->headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  exchange->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

// scheme://host:port of a URL, or "" when it does not parse.
std::string Origin(const std::string& url) {
  CURLU* u = curl_url();
  std::string origin;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char *scheme = nullptr, *host = nullptr, *port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      origin = std::string(scheme) + "://" + host + ":" + port;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return origin;
}

// Easy handles, each keeping its own connection cache; guarded and unguarded calls never share.
class HandlePool {
 public:
  ~HandlePool() {
    for (CURL* h : free_) curl_easy_cleanup(h);
  }
  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        CURL* h = free_.back();
        free_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Release(CURL* h) {
    curl_easy_reset(h);  // keeps the handle's live connections
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kMaxIdle) {
      free_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

 private:
  static constexpr size_t kMaxIdle = 64;
  std::mutex mu_;
  std::vector<CURL*> free_;
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<OutboundResponse> Send(const OutboundRequest& request) override {
    VOX_RETURN_IF_ERROR(CheckOutboundUrl(request.url));
    const auto started = SteadyClock::now();
    const auto deadline = started + request.timeout;
    HandlePool& pool = request.allow_private ? unguarded_ : guarded_;
    CURL* handle = pool.Acquire();
    if (handle == nullptr) return Internal("curl_easy_init failed");

    OutboundRequest current = request;
    OutboundResponse response;
    Status failure;
    for (int redirects = 0, attempt = 1;; ++attempt) {
      response.attempts = attempt + redirects;
      bool retryable = false;
      Result<OutboundResponse> one = Perform(handle, current, deadline, &retryable);
      if (one.ok()) {
        const int status = one->status;
        if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308)) {
          char* location = nullptr;
          curl_easy_getinfo(handle, CURLINFO_REDIRECT_URL, &location);
          if (location == nullptr) {
            response = std::move(*one);
            break;
          }
          std::string next(location);
          if (Origin(next).empty() || Origin(next) != Origin(current.url)) {
            failure = UpstreamError("refused a redirect from " + Origin(current.url) +
                                    " to another host");
            break;
          }
          if (++redirects > kMaxRedirects) {
            failure = UpstreamError("more than 3 redirects");
            break;
          }
          current.url = next;
          if (status == 303) {
            current.method = "GET";
            current.body.clear();
          }
          --attempt;
          continue;
        }
        const bool retry_status = status == 502 || status == 503 || status == 504;
        if (retry_status && Retry(request, attempt, deadline)) continue;
        response = std::move(*one);
        response.attempts = attempt + redirects;
        break;
      }
      failure = one.status();
      if (retryable && Retry(request, attempt, deadline)) {
        continue;
      }
      break;
    }
    pool.Release(handle);
    response.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();
    if (!failure.ok()) return failure;
    return response;
  }

 private:
  static bool Retry(const OutboundRequest& request, int attempt, SteadyClock::time_point deadline) {
    if (!request.retry_safe || attempt >= kMaxAttempts) return false;
    auto backoff = std::chrono::milliseconds(50 << (attempt - 1));
    if (SteadyClock::now() + backoff >= deadline) return false;
    std::this_thread::sleep_for(backoff);
    return true;
  }

  // One exchange; `retryable` says whether a failure is one a safe call may try again.
  static Result<OutboundResponse> Perform(CURL* h, const OutboundRequest& request,
                                          SteadyClock::time_point deadline, bool* retryable) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (remaining.count() <= 0) {
      return Status(StatusCode::kDeadlineExceeded,
                    "no answer from " + Origin(request.url) + " within " +
                        std::to_string(request.timeout.count()) + " ms");
    }
    Exchange exchange;
    exchange.allow_private = request.allow_private;
    exchange.max_bytes = request.max_response_bytes;
    char error[CURL_ERROR_SIZE] = {};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // never through an environment proxy
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    CURLcode code = curl_easy_perform(h);
    curl_slist_free_all(headers);

    const std::string where = Origin(request.url);
    if (!exchange.refusal.empty()) {
      // What the name resolved to stays in the server's log: an answer would map internal names.
      std::fprintf(stderr, "voxbase: outbound guard refused %s: it resolves to %s address\n",
                   where.c_str(), exchange.refusal.c_str());
      return Status(StatusCode::kPermissionDenied,
                    "refused to call " + where +
                        ": the endpoint's address is not allowed (set "
                        "--allow-private-tool-endpoints to allow private addresses)");
    }
    if (exchange.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return UpstreamError(where + " answered with more than " +
                           std::to_string(request.max_response_bytes) + " bytes");
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return Status(
          StatusCode::kDeadlineExceeded,
          "no answer from " + where + " within " + std::to_string(request.timeout.count()) + " ms");
    }
    if (code != CURLE_OK) {
      *retryable = code == CURLE_COULDNT_CONNECT || code == CURLE_SEND_ERROR ||
                   code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING;
      return UpstreamError("calling " + where + " failed: " +
                           (error[0] ? std::string(error) : curl_easy_strerror(code)));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    OutboundResponse response;
    response.status = static_cast<int>(status);
    response.body = std::move(exchange.body);
    response.headers = std::move(exchange.headers);
    return response;
  }

  HandlePool guarded_;
  HandlePool unguarded_;
};

}  // namespace

std::string_view OutboundResponse::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return {};
}

std::unique_ptr<HttpClient> NewCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

std::string GuardRefusal(std::string_view address) {
  std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return std::string(RefusedV4(ntohl(v4.s_addr)));
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    unsigned char bytes[16];
    std::memcpy(bytes, v6.s6_addr, 16);
    return std::string(RefusedV6(bytes));
  }
  return "an unparsable";
}

Status CheckOutboundUrl(std::string_view url) {
  CURLU* u = curl_url();
  std::string text(url);
  Status status;
  if (curl_url_set(u, CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    status = InvalidArgument("'" + text.substr(0, 200) + "' is not a valid URL");
  } else {
    char *scheme = nullptr, *user = nullptr, *host = nullptr;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (scheme == nullptr ||
        (std::string_view(scheme) != "http" && std::string_view(scheme) != "https")) {
      status = InvalidArgument("URL must be http or https");
    } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
      status = InvalidArgument("URL must not carry credentials");
    } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
      status = InvalidArgument("URL has no host");
    }
    curl_free(scheme);
    curl_free(user);
    curl_free(host);
  }
  curl_url_cleanup(u);
  return status;
}

Status CheckOutboundHost(std::string_view url) {
  VOX_RETURN_IF_ERROR(CheckOutboundUrl(url));
  CURLU* u = curl_url();
  std::string text(url);
  std::string host;
  char* raw_host = nullptr;
  if (curl_url_set(u, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &raw_host, 0) == CURLUE_OK) {
    host = raw_host;
  }
  curl_free(raw_host);
  curl_url_cleanup(u);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return UpstreamError("the host " + host + " does not resolve");
  }
  Status status;
  for (addrinfo* a = found; a != nullptr && status.ok(); a = a->ai_next) {
    char address[INET6_ADDRSTRLEN] = {};
    if (a->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, address,
                sizeof(address));
    } else if (a->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, address,
                sizeof(address));
    } else {
      continue;
    }
    std::string why = GuardRefusal(address);
    if (!why.empty()) {
      std::fprintf(stderr, "voxbase: outbound guard refused %s: it resolves to %s address (%s)\n",
                   host.c_str(), why.c_str(), address);
      status = Status(StatusCode::kPermissionDenied, "the endpoint's address is not allowed");
    }
  }
  freeaddrinfo(found);
  return status;
}

}  // namespace voxbase
