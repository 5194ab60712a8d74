#include "api/router.h"

#include <cstdio>
#include <cstdlib>

namespace voxbase {

void Router::Add(std::string_view method, std::string_view path, Access access, Handler handler) {
  if (access == Access::kUndeclared) {
    std::fprintf(stderr, "voxbase: route %.*s %.*s declares no access\n",
                 static_cast<int>(method.size()), method.data(), static_cast<int>(path.size()),
                 path.data());
    std::abort();
  }
  routes_[std::string(path)].push_back({std::string(method), access, std::move(handler)});
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const auto& [path, entries] : routes_) {
    for (const Entry& e : entries) out.push_back({e.method, path, e.access});
  }
  return out;
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
      request.access = entry.access;
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
