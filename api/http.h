// HttpRequest / HttpResponse: what handlers see of HTTP, with Beast kept inside server.cc.
//
// A handler gets the request and a Respond that it must use exactly once, from any thread: either
// with an answer, or with Later() and a function that builds the answer on the connection's own
// thread (for answers built after waiting on another thread). Value types.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/access.h"
#include "schemas/status.h"

namespace voxbase {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // without the query string
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  // Who may call the matched route, as its declaration says; set by the router before the
  // handler runs, and read by the Authenticator.
  Access access = Access::kUndeclared;

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

// Where an answer goes: the connection that read the request (or a test's collector).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void Send(HttpResponse response) = 0;
  virtual void SendLater(std::function<HttpResponse()> make) = 0;
};

class Respond {
 public:
  explicit Respond(std::shared_ptr<ResponseSink> sink) : sink_(std::move(sink)) {}
  // For tests and tools: a Respond that hands the answer to `fn` on the calling thread.
  static Respond To(std::function<void(HttpResponse)> fn);

  void operator()(HttpResponse response) const { sink_->Send(std::move(response)); }
  void Later(std::function<HttpResponse()> make) const { sink_->SendLater(std::move(make)); }

 private:
  std::shared_ptr<ResponseSink> sink_;
};

HttpResponse JsonResponse(int status, std::string body);
HttpResponse ErrorResponse(int status, std::string_view message);
// Maps a Status to its HTTP status and {"error": message}.
HttpResponse ErrorResponse(const Status& status);
int HttpStatusFor(StatusCode code);

// Splits "a=1&b=x%20y" into decoded pairs; false on a malformed escape.
bool ParseQueryString(std::string_view raw, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace voxbase
