// The HTTP request path before any handler: Beast's parser with the server's limits (headers,
// chunked bodies, body and header caps), the conversion to HttpRequest (query decoding, the
// headers handlers see) and the JSON body parse every write starts with.
#include <boost/asio/buffer.hpp>

#include "api/beast_request.h"
#include "ingest/command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace voxbase;
  BeastParser parser;
  LimitParser(parser, 64 * 1024, 4 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < size && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    used += n;
    if (ec || n == 0) break;
  }
  if (!parser.is_done() || ec) return 0;
  BeastRequest req = parser.release();
  Result<HttpRequest> request = ToHttpRequest(req);
  if (!request.ok()) return 0;
  (void)request->Query("sessionId");
  Result<simdjson::dom::object> body = ParseJsonBody(request->body);
  (void)body.ok();
  return 0;
}
