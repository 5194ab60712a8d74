#include "api/http.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace voxbase
