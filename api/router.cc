#include "api/router.h"

namespace voxbase {

void Router::Add(std::string_view method, std::string_view path, Handler handler) {
  routes_[std::string(path)].push_back({std::string(method), std::move(handler)});
}

void Router::SetGate(std::string prefix, std::vector<std::string> exempt_prefixes, Gate gate) {
  gate_prefix_ = std::move(prefix);
  gate_exempt_ = std::move(exempt_prefixes);
  gate_ = std::move(gate);
}

bool Router::Gated(std::string_view path) const {
  if (!path.starts_with(gate_prefix_)) return false;
  for (const std::string& exempt : gate_exempt_) {
    if (path.starts_with(exempt)) return false;
  }
  return true;
}

void Router::Dispatch(HttpRequest& request, Respond respond, std::string_view* route) const {
  auto it = routes_.find(request.path);
  if (it == routes_.end()) {
    *route = "unmatched";
    respond(ErrorResponse(404, "no route for " + request.path));
    return;
  }
  *route = it->first;
  std::string allow;
  for (const Entry& entry : it->second) {
    if (entry.method == request.method) {
      if (gate_ && Gated(request.path)) {
        std::optional<HttpResponse> refused = gate_(request);
        if (refused) return respond(std::move(*refused));
      }
      entry.handler(request, std::move(respond));
      return;
    }
    if (!allow.empty()) allow += ", ";
    allow += entry.method;
  }
  HttpResponse r = ErrorResponse(405, request.method + " is not allowed on " + request.path);
  r.headers.emplace_back("Allow", allow);
  respond(std::move(r));
}

}  // namespace voxbase
