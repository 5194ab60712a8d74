// Tenants are sealed (DESIGN.md invariant 7): two apps with the same session ids; neither one's
// secret nor its session tokens read or write the other's rows.
#include <gtest/gtest.h>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

TEST(IsolationTest, TwoAppsNeverSeeEachOthersRows) {
  TempDir dir;
  ServerProcess server(dir.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  auto client = server.Client();
  TestApp a = CreateApp(*client, "tenant-a");
  TestApp b = CreateApp(*client, "tenant-b");

  for (const TestApp* app : {&a, &b}) {
    std::string auth = R"("appSlug":")" + app->slug + R"(","appSecret":")" + app->secret + "\"";
    ASSERT_EQ(
        client
            ->Request(
                "POST", "/api/messages",
                "{" + auth +
                    R"(,"messages":[{"sessionId":"shared","role":"user","content":"secret of )" +
                    app->slug + R"("}]})")
            ->status,
        200);
    ASSERT_EQ(client
                  ->Request("POST", "/api/conversations",
                            "{" + auth + R"(,"sessionId":"shared","channel":")" + app->slug + "\"}")
                  ->status,
              200);
  }
  auto query = [](const TestApp& app) {
    return "appSlug=" + app.slug + "&appSecret=" + app.secret;
  };
  Result<HttpResponse> ra = client->Request("GET", "/api/messages?sessionId=shared&" + query(a));
  ASSERT_EQ(ra->status, 200);
  EXPECT_NE(ra->body.find("secret of tenant-a"), std::string::npos);
  EXPECT_EQ(ra->body.find("secret of tenant-b"), std::string::npos) << ra->body;

  Result<HttpResponse> list = client->Request("GET", "/api/conversations?" + query(b));
  ASSERT_EQ(list->status, 200);
  EXPECT_NE(list->body.find(R"("channel":"tenant-b")"), std::string::npos);
  EXPECT_EQ(list->body.find("tenant-a"), std::string::npos) << list->body;

  // A's slug with B's secret is not B, and not A either.
  Result<HttpResponse> mixed = client->Request(
      "GET", "/api/messages?sessionId=shared&appSlug=tenant-a&appSecret=" + b.secret);
  EXPECT_EQ(mixed->status, 401);

  // A's session token reads only A.
  Result<HttpResponse> token = client->Request(
      "POST", "/api/auth/session",
      R"({"appSlug":"tenant-a","appSecret":")" + a.secret + R"(","sessionId":"shared"})");
  ASSERT_EQ(token->status, 200);
  std::string tok = JsonString(token->body, "sessionToken");
  Result<HttpResponse> via_token = client->Request("GET", "/api/messages?sessionId=shared", "",
                                                   {{"Authorization", "Bearer " + tok}});
  ASSERT_EQ(via_token->status, 200);
  EXPECT_NE(via_token->body.find("secret of tenant-a"), std::string::npos)
      << "the token does not read its own app's session: " << via_token->body;
  EXPECT_EQ(via_token->body.find("tenant-b"), std::string::npos) << via_token->body;
  // Credentials in the query win over nothing; a token cannot be combined with B's slug to reach B.
  Result<HttpResponse> b_slug_a_token =
      client->Request("GET", "/api/messages?sessionId=shared&appSlug=tenant-b", "",
                      {{"Authorization", "Bearer " + tok}});
  EXPECT_EQ(b_slug_a_token->status, 401) << b_slug_a_token->body;

  // A token whose embedded app id was swapped for B's is not B's token.
  std::string forged = tok;
  forged.replace(4, 20, b.app_id);
  Result<HttpResponse> forged_read = client->Request("GET", "/api/messages?sessionId=shared", "",
                                                     {{"Authorization", "Bearer " + forged}});
  EXPECT_EQ(forged_read->status, 401);
}

}  // namespace
}  // namespace voxbase::testing
