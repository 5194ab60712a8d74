// Experiment results are kept by the folds as conversations and ratings arrive, in any order
// relative to the assignment; this checks each variant's figures against what the test itself
// assigned, resolved, handed off and rated.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

TEST(ExperimentResultsTest, EachVariantsFiguresFollowItsSessions) {
  TempDir dir;
  ServerProcess server(dir.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  auto client = server.Client();
  TestApp app = CreateApp(*client, "ab");
  const std::string auth = R"("appSlug":"ab","appSecret":")" + app.secret + "\"";
  auto post = [&](const std::string& path, const std::string& fields) {
    Result<HttpResponse> r = client->Request("POST", path, "{" + auth + "," + fields + "}");
    EXPECT_TRUE(r.ok() && r->status < 300) << path << " " << (r.ok() ? r->body : "");
    return r.ok() ? r->body : std::string();
  };
  std::string created = post("/api/experiments", R"("name":"e","variants":[
      {"id":"a","weight":1},{"id":"b","weight":1},{"id":"c","weight":1}])");
  const std::string id = JsonString(created, "experimentId");

  struct Expect {
    int exposures = 0, resolved = 0, handed_off = 0, csat_count = 0, csat_sum = 0;
  };
  std::map<std::string, Expect> expect;
  for (int i = 0; i < 30; ++i) {
    const std::string session = "s" + std::to_string(i);
    const bool before = i % 2 == 0;  // half the sessions act before they are assigned
    auto act = [&] {
      if (i % 3 == 0) post("/api/handoffs", R"("sessionId":")" + session + "\"");
      if (i % 3 != 2) {
        post("/api/conversations", R"("sessionId":")" + session + R"(","status":"resolved")");
      }
      if (i % 4 != 0) {
        post("/api/csat",
             R"("sessionId":")" + session + R"(","rating":)" + std::to_string(1 + i % 5));
      }
    };
    if (before) act();
    std::string answer = post("/api/experiments/assign",
                              R"("experimentId":")" + id + R"(","sessionId":")" + session + "\"");
    if (!before) act();
    Expect& e = expect[JsonString(answer, "variantId")];
    ++e.exposures;
    if (i % 3 != 2) ++e.resolved;
    if (i % 3 == 0) ++e.handed_off;
    if (i % 4 != 0) {
      ++e.csat_count;
      e.csat_sum += 1 + i % 5;
    }
  }
  ASSERT_EQ(expect.size(), 3u) << "30 sessions did not reach all three variants";

  auto check = [&](BlockingHttpClient& c) {
    Result<HttpResponse> r = c.Request("GET", "/api/experiments/results?experimentId=" + id +
                                                  "&appSlug=ab&appSecret=" + app.secret);
    ASSERT_TRUE(r.ok() && r->status == 200);
    simdjson::dom::parser parser;
    simdjson::dom::array variants = parser.parse(r->body)["variants"].get_array().value();
    for (simdjson::dom::object v : variants) {
      std::string variant(v["variantId"].get_string().value());
      const Expect& e = expect[variant];
      SCOPED_TRACE(variant);
      EXPECT_EQ(v["exposures"].get_int64().value(), e.exposures);
      EXPECT_DOUBLE_EQ(v["resolutionRate"].get_double().value(),
                       static_cast<double>(e.resolved) / e.exposures);
      EXPECT_DOUBLE_EQ(v["handoffRate"].get_double().value(),
                       static_cast<double>(e.handed_off) / e.exposures);
      EXPECT_EQ(v["csatCount"].get_int64().value(), e.csat_count);
      if (e.csat_count > 0) {
        EXPECT_DOUBLE_EQ(v["avgCsat"].get_double().value(),
                         static_cast<double>(e.csat_sum) / e.csat_count);
      }
    }
  };
  ASSERT_NO_FATAL_FAILURE(check(*client));
  server.Stop();
  CommandOutput live = RunVoxbase({"checksum", "--data-dir", dir.path()});
  ASSERT_EQ(RunVoxbase({"replay", "--data-dir", dir.path()}).exit_code, 0);
  EXPECT_EQ(RunVoxbase({"checksum", "--data-dir", dir.path()}).stdout_text, live.stdout_text);
  ServerProcess again(dir.path());
  ASSERT_NO_FATAL_FAILURE(again.Start());
  ASSERT_TRUE(again.WaitReady());
  auto client2 = again.Client();
  check(*client2);
}

}  // namespace
}  // namespace voxbase::testing
