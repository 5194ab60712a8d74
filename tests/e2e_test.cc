// End to end against the real binary: the seed-001 flows for apps, session tokens, telemetry
// events, messages and conversations, read-your-writes, restart, and /metrics.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <thread>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
    app_ = CreateApp(*client_, "shop");
    ASSERT_FALSE(app_.app_id.empty());
  }

  std::string Auth() const { return R"("appSlug":"shop","appSecret":")" + app_.secret + "\""; }
  std::string QueryAuth() const { return "appSlug=shop&appSecret=" + app_.secret; }

  HttpResponse Post(const std::string& path, const std::string& fields) {
    Result<HttpResponse> r = client_->Request("POST", path, "{" + Auth() + "," + fields + "}");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResponse{};
  }
  HttpResponse Get(const std::string& path_and_query) {
    Result<HttpResponse> r = client_->Request("GET", path_and_query);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResponse{};
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
  TestApp app_;
};

std::vector<std::string> Contents(const std::string& body, const std::string& list) {
  simdjson::dom::parser parser;
  std::vector<std::string> out;
  simdjson::dom::array items;
  if (parser.parse(body)[list].get(items)) return out;
  for (simdjson::dom::element item : items) {
    std::string_view v;
    if (!item["content"].get(v) || !item["type"].get(v)) out.emplace_back(v);
  }
  return out;
}

TEST_F(E2eTest, MessagesComeBackInCreatedAtOrderAcrossBatches) {
  HttpResponse r = Post("/api/messages", R"("messages":[
      {"sessionId":"ses_1","roomName":"room-1","participantIdentity":"agent","role":"agent","content":"second","createdAt":1700000002000},
      {"sessionId":"ses_1","role":"user","content":"first","createdAt":1700000001000},
      {"sessionId":"ses_2","role":"user","content":"other session","createdAt":1700000000000}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonInt(r.body, "accepted"), 3);
  r = Post(
      "/api/messages",
      R"("messages":[{"sessionId":"ses_1","role":"user","content":"third","createdAt":1700000003000,"isFinal":false}])");
  ASSERT_EQ(r.status, 200) << r.body;

  r = Get("/api/messages?sessionId=ses_1&" + QueryAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Contents(r.body, "messages"), (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_NE(r.body.find(R"("roomName":"room-1")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("isFinal":false)"), std::string::npos) << r.body;
}

TEST_F(E2eTest, MessagePagesFollowTheCursorWithoutGapsOrRepeats) {
  std::string batch = R"("messages":[)";
  for (int i = 0; i < 25; ++i) {
    batch += std::string(i ? "," : "") + R"({"sessionId":"paged","role":"user","content":"m)" +
             std::to_string(100 + i) + R"(","createdAt":)" + std::to_string(1700000000000 + i) +
             "}";
  }
  ASSERT_EQ(Post("/api/messages", batch + "]").status, 200);
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    HttpResponse r = Get("/api/messages?sessionId=paged&limit=10&" + QueryAuth() +
                         (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    for (auto& c : Contents(r.body, "messages")) seen.push_back(c);
    cursor = JsonString(r.body, "nextCursor");
    if (cursor.empty()) break;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "m" + std::to_string(100 + i));
}

TEST_F(E2eTest, SessionTokenWorksAtOnceForReadsAndWritesAndExpires) {
  HttpResponse r = Post("/api/auth/session", R"("ttlMs":1500)");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string token = JsonString(r.body, "sessionToken");
  ASSERT_FALSE(token.empty());
  // Read your writes: the token is usable in the very next request.
  Result<HttpResponse> w = client_->Request(
      "POST", "/api/messages",
      R"({"sessionToken":")" + token +
          R"(","messages":[{"sessionId":"browser","role":"user","content":"from the browser"}]})");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, 200) << w->body;
  Result<HttpResponse> g = client_->Request("GET", "/api/messages?sessionId=browser", "",
                                            {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, 200) << g->body;
  EXPECT_EQ(Contents(g->body, "messages"), std::vector<std::string>{"from the browser"});

  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  g = client_->Request("GET", "/api/messages?sessionId=browser&sessionToken=" + token);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, 401) << g->body;
  EXPECT_EQ(JsonString(g->body, "error"), "session token expired");
}

TEST_F(E2eTest, ConversationSaveIsReadableAtOnceAndUpdatesMerge) {
  HttpResponse r = Post("/api/conversations", R"("sessionId":"ses_abc123","startedAt":1700000000000,
      "messages":[{"role":"user","content":"Hello","ts":1700000000}],"channel":"voice-livekit")");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string id;
  {
    simdjson::dom::parser parser;
    std::string_view v;
    ASSERT_FALSE(parser.parse(r.body)["conversation"]["conversationId"].get(v)) << r.body;
    id = std::string(v);
    ASSERT_FALSE(parser.parse(r.body)["conversation"]["status"].get(v));
    EXPECT_EQ(v, "active");
  }
  r = Post(
      "/api/conversations",
      R"("sessionId":"ses_abc123","status":"resolved","endedAt":1700000060000,"resolution":"refund issued")");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Get("/api/conversations?sessionId=ses_abc123&" + QueryAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::object c = parser.parse(r.body)["conversation"].get_object().value();
  EXPECT_EQ(c["conversationId"].get_string().value(), id);
  EXPECT_EQ(c["status"].get_string().value(), "resolved");
  EXPECT_EQ(c["channel"].get_string().value(), "voice-livekit");  // kept from the first save
  EXPECT_EQ(c["resolution"].get_string().value(), "refund issued");
  EXPECT_EQ(c["durationMs"].get_int64().value(), 60000);
  EXPECT_EQ(c["messages"].get_array().size(), 1u);
}

TEST_F(E2eTest, ConversationListIsNewestFirstAndFiltersByStatus) {
  for (int i = 0; i < 5; ++i) {
    std::string status = i % 2 ? "resolved" : "active";
    ASSERT_EQ(
        Post("/api/conversations", R"("sessionId":"c)" + std::to_string(i) + R"(","startedAt":)" +
                                       std::to_string(1000 + i) + R"(,"status":")" + status + "\"")
            .status,
        200);
  }
  HttpResponse r = Get("/api/conversations?limit=2&" + QueryAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::array list = parser.parse(r.body)["conversations"].get_array().value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.at(0)["sessionId"].get_string().value(), "c4");
  EXPECT_EQ(list.at(1)["sessionId"].get_string().value(), "c3");
  EXPECT_FALSE(JsonString(r.body, "nextCursor").empty());

  r = Get("/api/conversations?status=resolved&" + QueryAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  list = parser.parse(r.body)["conversations"].get_array().value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.at(0)["sessionId"].get_string().value(), "c3");
  EXPECT_EQ(list.at(1)["sessionId"].get_string().value(), "c1");
}

TEST_F(E2eTest, TelemetryEventsAreStoredWithTheirData) {
  HttpResponse r = Post("/api/events", R"("events":[
      {"type":"session_start","sessionId":"t1","ts":1700000000000,"data":{"model":"gemini"}},
      {"type":"latency","sessionId":"t1","ts":1700000000500,"data":{"ms":320}}])");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Get("/api/events?sessionId=t1&" + QueryAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Contents(r.body, "events"), (std::vector<std::string>{"session_start", "latency"}));
  EXPECT_NE(r.body.find(R"("data":{"ms":320})"), std::string::npos) << r.body;
}

TEST_F(E2eTest, DataSurvivesARestart) {
  ASSERT_EQ(Post("/api/messages",
                 R"("messages":[{"sessionId":"keep","role":"user","content":"still here"}])")
                .status,
            200);
  server_->Stop();
  server_ = std::make_unique<ServerProcess>(dir_.path());
  ASSERT_NO_FATAL_FAILURE(server_->Start());
  ASSERT_TRUE(server_->WaitReady());
  client_ = server_->Client();
  HttpResponse r = Get("/api/messages?sessionId=keep&" + QueryAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Contents(r.body, "messages"), std::vector<std::string>{"still here"});
}

TEST_F(E2eTest, MetricsExposeRequestsAppendsOffsetsAndFsync) {
  ASSERT_EQ(Post("/api/events", R"("events":[{"type":"a","sessionId":"m"}])").status, 200);
  HttpResponse r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  for (const char* name :
       {"voxbase_http_requests_total{method=\"POST\",route=\"/api/events\",status=\"200\"} 1",
        "voxbase_http_request_duration_seconds_count{route=\"/api/events\",status=\"200\"} 1",
        "voxbase_events_appended_total{type=\"telemetry.recorded\"} 1", "voxbase_log_end_offset 2",
        "voxbase_processor_applied_offset", "voxbase_processor_lag_records",
        "voxbase_log_fsync_seconds_count"}) {
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  }
}

TEST_F(E2eTest, AppSlugsAreUniqueAndSeedAppReportsTheConflict) {
  Result<HttpResponse> r = client_->Request(
      "POST", "/api/admin/apps", R"({"slug":"shop","name":"Again","secret":"0123456789abcdef0"})",
      {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409) << r->body;
  // seed-app against the running server goes through the admin API.
  CommandOutput out =
      RunVoxbase({"seed-app", "--data-dir", dir_.path(), "--url",
                  "http://127.0.0.1:" + std::to_string(server_->port()), "--admin-token",
                  kAdminToken, R"({"slug":"from-cli","name":"CLI","secret":"0123456789abcdef0"})"});
  EXPECT_EQ(out.exit_code, 0) << out.stdout_text << out.stderr_text;
  EXPECT_FALSE(JsonString(out.stdout_text, "appId").empty()) << out.stdout_text;
}

}  // namespace
}  // namespace voxbase::testing

namespace voxbase::testing {
namespace {

TEST(ConnectionCapTest, ConnectionsOverTheCapAreClosedAndTheServerKeepsServing) {
  TempDir dir;
  ServerProcess server(dir.path(), {"--max-connections", "2"});
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  auto first = server.Client();
  auto second = server.Client();
  ASSERT_EQ(first->Request("GET", "/healthz")->status, 200);
  ASSERT_EQ(second->Request("GET", "/healthz")->status, 200);
  auto third = server.Client();
  EXPECT_FALSE(third->Request("GET", "/healthz").ok()) << "a third connection was served";
  second.reset();  // frees a place
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto fourth = server.Client();
  Result<HttpResponse> r = fourth->Request("GET", "/healthz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(first->Request("GET", "/healthz")->status, 200);
}

}  // namespace
}  // namespace voxbase::testing
