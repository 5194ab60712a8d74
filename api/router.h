// Router: maps (method, path) to a handler. Paths are exact (seed 001 has no path parameters).
// An unknown path is a 404, a known path with another method a 405 with an Allow header.
// Routes are added before the server starts; after that the router is read-only and thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"

namespace voxbase {

using Handler = std::function<void(HttpRequest& request, Respond respond)>;

class Router {
 public:
  // `access` is who may call the route (api/access.h); the request carries it to the handler.
  // Adding a route with Access::kUndeclared is a programming error and aborts at start-up.
  void Add(std::string_view method, std::string_view path, Access access, Handler handler);

  struct RouteInfo {
    std::string method;
    std::string path;
    Access access;
  };
  // Every route, by path then in the order added: the catalogue `voxbase routes` prints.
  std::vector<RouteInfo> Routes() const;

  // A check every request under `prefix` passes first: when it returns an answer, that is sent
  // instead of running the handler (reads and writes while the processor is stopped).
  using Gate = std::function<std::optional<HttpResponse>(const HttpRequest& request)>;
  void SetGate(std::string prefix, std::vector<std::string> exempt_prefixes, Gate gate);

  // Runs the matching handler, or answers 404/405 itself. `route` is set to the matched path, or
  // "unmatched", for metrics labels that cannot grow without bound.
  void Dispatch(HttpRequest& request, Respond respond, std::string_view* route) const;

 private:
  struct Entry {
    std::string method;
    Access access;
    Handler handler;
  };
  std::map<std::string, std::vector<Entry>, std::less<>> routes_;
  bool Gated(std::string_view path) const;

  std::string gate_prefix_;
  std::vector<std::string> gate_exempt_;
  Gate gate_;
};

}  // namespace voxbase
