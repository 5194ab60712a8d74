// The one way a request Beast parsed becomes voxbase's HttpRequest: the server uses it, and so
// does the HTTP fuzz target (tests/fuzz/), which feeds it whatever bytes the parser accepts. And
// the way an HttpResponse becomes bytes on the wire.
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

// Writes `response` as HTTP/1.`version % 10` bytes into `*out` (replacing what it held, keeping
// its capacity): status line, Server, Content-Type, the response's headers, Connection where the
// version's default differs from `keep_alive`, Content-Length, body. One contiguous buffer, so a
// connection sends an answer with one write instead of walking Beast's buffer sequences (they took
// ~4 % of the server's CPU on single-event ingest). A header whose name or value holds CR, LF or
// NUL is left out rather than allowed to split the response.
void SerializeResponse(const HttpResponse& response, unsigned version, bool keep_alive,
                       std::string* out);

}  // namespace voxbase
