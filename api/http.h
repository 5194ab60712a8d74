// HttpRequest / HttpResponse: what handlers see of HTTP, with Beast kept inside server.cc.
//
// A handler gets the request and a Respond function that it must call exactly once, from any
// thread; the server writes the answer on the connection's own strand. Value types.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schemas/status.h"

namespace voxbase {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // without the query string
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The first value of a query parameter or header; empty when absent.
  std::string_view Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string_view Header(std::string_view lower_case_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

using Respond = std::function<void(HttpResponse)>;

HttpResponse JsonResponse(int status, std::string body);
HttpResponse ErrorResponse(int status, std::string_view message);
// Maps a Status to its HTTP status and {"error": message}.
HttpResponse ErrorResponse(const Status& status);
int HttpStatusFor(StatusCode code);

// Splits "a=1&b=x%20y" into decoded pairs; false on a malformed escape.
bool ParseQueryString(std::string_view raw, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace voxbase
