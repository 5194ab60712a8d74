#include "api/http.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include "api/beast_request.h"

namespace voxbase {
namespace {

TEST(HttpTest, QueryStringsAreSplitAndDecoded) {
  std::vector<std::pair<std::string, std::string>> q;
  ASSERT_TRUE(ParseQueryString("sessionId=ses%20a&x=1+2&flag&&empty=", &q));
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"sessionId", "ses a"}));
  EXPECT_EQ(q[1].second, "1 2");
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_FALSE(ParseQueryString("a=%zz", &q));
  EXPECT_FALSE(ParseQueryString("a=%2", &q));
}

TEST(HttpTest, StatusCodesMapToHttp) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
  HttpResponse full = ErrorResponse(Status(StatusCode::kResourceExhausted, "queue full"));
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(full.body, R"({"error":"queue full"})");
  ASSERT_EQ(full.headers.size(), 1u);
  EXPECT_EQ(full.headers[0].first, "Retry-After");
}

TEST(HttpTest, ErrorMessagesAreEscapedJson) {
  EXPECT_EQ(ErrorResponse(400, "bad \"quote\"\n").body, R"({"error":"bad \"quote\"\n"})");
}

namespace http = boost::beast::http;

// Parses `bytes` as one whole response with Beast's own parser.
http::response<http::string_body> ParseResponse(const std::string& bytes) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(bytes), ec);
  EXPECT_FALSE(ec) << ec.message() << " in\n" << bytes;
  EXPECT_EQ(used, bytes.size()) << "bytes after the response";
  EXPECT_TRUE(parser.is_done()) << bytes;
  return parser.release();
}

TEST(HttpTest, SerializedResponsesParseBackWhole) {
  HttpResponse r = JsonResponse(503, R"({"error":"busy"})");
  r.headers.emplace_back("Retry-After", "1");
  r.headers.emplace_back("Vary", "Origin");
  std::string out = "left over from the last answer";
  SerializeResponse(r, 11, true, &out);
  auto parsed = ParseResponse(out);
  EXPECT_EQ(parsed.result_int(), 503);
  EXPECT_EQ(parsed.reason(), "Service Unavailable");
  EXPECT_EQ(parsed.version(), 11u);
  EXPECT_EQ(parsed[http::field::content_type], "application/json");
  EXPECT_EQ(parsed[http::field::server], "voxbase");
  EXPECT_EQ(parsed["Retry-After"], "1");
  EXPECT_EQ(parsed["Vary"], "Origin");
  EXPECT_EQ(parsed.body(), R"({"error":"busy"})");
  EXPECT_TRUE(parsed.keep_alive());

  SerializeResponse(JsonResponse(200, ""), 11, false, &out);
  auto closing = ParseResponse(out);
  EXPECT_FALSE(closing.keep_alive());
  EXPECT_EQ(closing[http::field::content_length], "0");
  EXPECT_TRUE(closing.need_eof());

  SerializeResponse(JsonResponse(200, "{}"), 10, true, &out);
  auto old = ParseResponse(out);
  EXPECT_EQ(old.version(), 10u);
  EXPECT_TRUE(old.keep_alive()) << "HTTP/1.0 keep-alive must be said";
  SerializeResponse(JsonResponse(200, "{}"), 10, false, &out);
  EXPECT_FALSE(ParseResponse(out).keep_alive());
}

TEST(HttpTest, SerializedHeadersCannotSplitTheResponseAndTheLastValueWins) {
  HttpResponse r = JsonResponse(200, "{}");
  r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: stolen=1");
  r.headers.emplace_back("X-Bad\r\nName", "v");
  r.headers.emplace_back("retry-after", "1");
  r.headers.emplace_back("Retry-After", "2");
  std::string out;
  SerializeResponse(r, 11, true, &out);
  auto parsed = ParseResponse(out);
  EXPECT_EQ(parsed.count("Set-Cookie"), 0u);
  EXPECT_EQ(parsed.count("X-Evil"), 0u);
  EXPECT_EQ(parsed.count("Retry-After"), 1u);
  EXPECT_EQ(parsed["Retry-After"], "2");
  EXPECT_EQ(parsed.body(), "{}");
}

}  // namespace
}  // namespace voxbase
