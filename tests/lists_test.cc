// Issue 33: lists stopped at 1,000 rows without a cursor, and the guardrail matcher, compiled from
// the projection after a restart, enforced only rules 1 to 1,000. Every list pages; every load
// into memory reads every row.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

class ListsTest : public ServerWithAppTest {
 protected:
  ListsTest() : ServerWithAppTest("lists") {}
  void Restart() {
    server_->Stop();
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
  }
  HttpResponse Post(const std::string& path, const std::string& fields) {
    Result<HttpResponse> r = client_->Request(
        "POST", path, R"({"appSlug":"lists","appSecret":")" + app_.secret + R"(",)" + fields + "}");
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : HttpResponse{};
  }
  // Every row of a list, page by page; the ids must be unique.
  std::vector<std::string> ListAll(const std::string& path, const std::string& field,
                                   const std::string& id_field, int* pages) {
    std::vector<std::string> ids;
    std::string cursor;
    simdjson::dom::parser parser;
    *pages = 0;
    do {
      std::string target = path + "?appSlug=lists&appSecret=" + app_.secret + "&limit=1000";
      if (!cursor.empty()) target += "&cursor=" + cursor;
      Result<HttpResponse> r = client_->Request("GET", target);
      EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
      if (!r.ok() || r->status != 200) break;
      ++*pages;
      simdjson::dom::element page = parser.parse(r->body).value();
      for (simdjson::dom::element row : page[field].get_array()) {
        ids.emplace_back(row[id_field].get_string().value());
      }
      std::string_view next;
      cursor = page["nextCursor"].get(next) ? std::string() : std::string(next);
    } while (!cursor.empty() && *pages < 10);
    return ids;
  }
  bool Blocks(const std::string& keyword) {
    HttpResponse r =
        Post("/api/guardrails/check",
             R"("sessionId":"s","direction":"input","content":"about )" + keyword + R"( today")");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body.find(R"("allowed":false)") != std::string::npos;
  }
};

TEST_F(ListsTest, TwentyFiveHundredRulesAreListedThroughACursorAndAllEnforcedAfterARestart) {
  constexpr int kRules = 2500;
  for (int i = 0; i < kRules; ++i) {
    HttpResponse r = Post("/api/guardrails/rules", R"("name":"r)" + std::to_string(i) +
                                                       R"(","type":"blocked_topic","pattern":"kw)" +
                                                       std::to_string(i) + R"(","action":"block")");
    ASSERT_EQ(r.status, 201) << i << ": " << r.body;
  }
  EXPECT_TRUE(Blocks("kw1000")) << "the 1,001st rule, before a restart";
  for (int round = 0; round < 2; ++round) {
    int pages = 0;
    std::vector<std::string> ids = ListAll("/api/guardrails/rules", "rules", "ruleId", &pages);
    EXPECT_EQ(ids.size(), static_cast<size_t>(kRules));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), static_cast<size_t>(kRules));
    EXPECT_EQ(pages, 3);
    ASSERT_NO_FATAL_FAILURE(Restart());  // the matcher is compiled again from the projection
    for (const char* keyword : {"kw0", "kw999", "kw1000", "kw1500", "kw2499"}) {
      EXPECT_TRUE(Blocks(keyword)) << keyword << " after a restart";
    }
    EXPECT_FALSE(Blocks("kw2500"));
  }
}

TEST_F(ListsTest, ExperimentsPastAThousandAreListedThroughACursor) {
  constexpr int kExperiments = 1050;
  std::vector<std::string> made;
  for (int i = 0; i < kExperiments; ++i) {
    HttpResponse r = Post("/api/experiments",
                          R"("name":"e)" + std::to_string(i) +
                              R"(","variants":[{"id":"a","weight":1},{"id":"b","weight":1}])");
    ASSERT_EQ(r.status, 201) << r.body;
    made.push_back(JsonString(r.body, "experimentId"));
  }
  int pages = 0;
  std::vector<std::string> listed =
      ListAll("/api/experiments", "experiments", "experimentId", &pages);
  EXPECT_EQ(listed.size(), made.size());
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()),
            std::set<std::string>(made.begin(), made.end()));
  EXPECT_EQ(pages, 2);
  Result<HttpResponse> bad = client_->Request(
      "GET", "/api/experiments?appSlug=lists&appSecret=" + app_.secret + "&cursor=nonsense");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;
}

}  // namespace
}  // namespace voxbase::testing
