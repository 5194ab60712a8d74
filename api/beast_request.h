// The one way a request Beast parsed becomes voxbase's HttpRequest: the server uses it, and so
// does the HTTP fuzz target (tests/fuzz/), which feeds it whatever bytes the parser accepts.
#pragma once

#include <boost/beast/http.hpp>

#include "api/http.h"
#include "schemas/status.h"

namespace voxbase {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A fresh parser with the server's limits.
void LimitParser(BeastParser& parser, uint64_t max_body_bytes, uint32_t max_header_bytes);

// Method, path, decoded query, the headers handlers read, and the body (moved out of `req`).
// InvalidArgument for a malformed query string.
Result<HttpRequest> ToHttpRequest(BeastRequest& req);

}  // namespace voxbase
