#include "api/http.h"

#include "schemas/json_writer.h"

namespace voxbase {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexDigit(in[i + 1]), lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

std::string_view Find(const std::vector<std::pair<std::string, std::string>>& pairs,
                      std::string_view name) {
  for (const auto& [k, v] : pairs) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

std::string_view HttpRequest::Query(std::string_view name) const { return Find(query, name); }

bool HttpRequest::HasQuery(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return true;
  }
  return false;
}

std::string_view HttpRequest::Header(std::string_view name) const { return Find(headers, name); }

Respond Respond::To(std::function<void(HttpResponse)> fn) {
  class FunctionSink final : public ResponseSink {
   public:
    explicit FunctionSink(std::function<void(HttpResponse)> fn) : fn_(std::move(fn)) {}
    void Send(HttpResponse response) override { fn_(std::move(response)); }
    void SendLater(std::function<HttpResponse()> make) override { fn_(make()); }

   private:
    std::function<void(HttpResponse)> fn_;
  };
  return Respond(std::make_shared<FunctionSink>(std::move(fn)));
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  return JsonResponse(status, ErrorJson(message));
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kResourceExhausted:
      return 503;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kUpstreamError:
      return 502;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse r = ErrorResponse(HttpStatusFor(status.code()), status.message());
  if (status.code() == StatusCode::kResourceExhausted) r.headers.emplace_back("Retry-After", "1");
  return r;
}

bool ParseQueryString(std::string_view raw, std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  while (!raw.empty()) {
    size_t amp = raw.find('&');
    std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key, value;
    if (!PercentDecode(part.substr(0, eq), &key)) return false;
    if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), &value)) return false;
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace voxbase
