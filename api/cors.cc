#include "api/cors.h"

#include <algorithm>
#include <memory>

namespace voxbase {
namespace {

bool Allowed(const std::vector<std::string>& origins, std::string_view origin) {
  return !origin.empty() && std::find(origins.begin(), origins.end(), origin) != origins.end();
}

void AddCorsHeaders(HttpResponse& response, const std::string& origin) {
  response.headers.emplace_back("Vary", "Origin");
  if (origin.empty()) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", origin);
}

// Forwards an answer to the connection with the CORS headers added.
class CorsSink final : public ResponseSink {
 public:
  CorsSink(Respond inner, std::string origin)
      : inner_(std::move(inner)), origin_(std::move(origin)) {}
  void Send(HttpResponse response) override {
    AddCorsHeaders(response, origin_);
    inner_(std::move(response));
  }
  void SendLater(std::function<HttpResponse()> make) override {
    inner_.Later([make = std::move(make), origin = origin_] {
      HttpResponse response = make();
      AddCorsHeaders(response, origin);
      return response;
    });
  }

 private:
  Respond inner_;
  std::string origin_;
};

}  // namespace

Handler WithCors(const std::vector<std::string>* origins, Handler handler) {
  return [origins, handler = std::move(handler)](HttpRequest& request, Respond respond) {
    std::string_view origin = request.Header("origin");
    std::string allowed = Allowed(*origins, origin) ? std::string(origin) : std::string();
    handler(request, Respond(std::make_shared<CorsSink>(std::move(respond), std::move(allowed))));
  };
}

Handler CorsPreflight(const std::vector<std::string>* origins, std::string allowed_methods) {
  return [origins, allowed_methods = std::move(allowed_methods)](HttpRequest& request,
                                                                 Respond respond) {
    HttpResponse response;
    response.status = 204;
    response.content_type = "";
    std::string_view origin = request.Header("origin");
    response.headers.emplace_back("Vary", "Origin");
    if (Allowed(*origins, origin)) {
      response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
      response.headers.emplace_back("Access-Control-Allow-Methods", allowed_methods);
      response.headers.emplace_back("Access-Control-Allow-Headers",
                                    "Authorization, Content-Type, Idempotency-Key");
      response.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    respond(std::move(response));
  };
}

std::vector<std::string> SplitOrigins(std::string_view comma_separated) {
  std::vector<std::string> out;
  while (!comma_separated.empty()) {
    size_t comma = comma_separated.find(',');
    std::string_view one = comma_separated.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && (one.back() == ' ' || one.back() == '/')) one.remove_suffix(1);
    if (!one.empty()) out.emplace_back(one);
    if (comma == std::string_view::npos) break;
    comma_separated.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace voxbase
