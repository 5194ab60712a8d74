// Router: maps (method, path) to a handler. Paths are exact (seed 001 has no path parameters).
// An unknown path is a 404, a known path with another method a 405 with an Allow header.
// Routes are added before the server starts; after that the router is read-only and thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"

namespace voxbase {

using Handler = std::function<void(HttpRequest& request, Respond respond)>;

class Router {
 public:
  void Add(std::string_view method, std::string_view path, Handler handler);

  // Runs the matching handler, or answers 404/405 itself. `route` is set to the matched path, or
  // "unmatched", for metrics labels that cannot grow without bound.
  void Dispatch(HttpRequest& request, Respond respond, std::string_view* route) const;

 private:
  struct Entry {
    std::string method;
    Handler handler;
  };
  std::map<std::string, std::vector<Entry>, std::less<>> routes_;
};

}  // namespace voxbase
