// End to end against the real binary, for what is not a request/answer sequence (those are the
// case files, case_test.cc): /metrics, seed-app, concurrent idempotent retries, the connection cap.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <sstream>
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

// True when a sample line (not a # HELP or # TYPE line) starts with `prefix`.
bool HasSample(const std::string& exposition, const std::string& prefix) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("#") && line.starts_with(prefix)) return true;
  }
  return false;
}

TEST_F(E2eTest, MetricsExposeRequestsAppendsOffsetsAndFsync) {
  ASSERT_EQ(Post("/api/events", R"("events":[{"type":"a","sessionId":"m"}])").status, 200);
  // A method nobody uses must not become a label of its own.
  ASSERT_TRUE(client_->Request("FROBNICATE" + std::string(200, 'X'), "/api/events").ok());
  HttpResponse r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  for (const char* sample :
       {"voxbase_http_requests_total{method=\"POST\",route=\"/api/events\",status=\"200\"} 1",
        "voxbase_http_request_duration_seconds_count{route=\"/api/events\",status=\"200\"} 1",
        "voxbase_events_appended_total{type=\"telemetry.recorded\"} 1", "voxbase_log_end_offset 2",
        "voxbase_processor_applied_offset{processor=\"tables\"} 2",
        "voxbase_processor_lag_records{processor=\"tables\"} 0", "voxbase_log_fsync_seconds_count ",
        "voxbase_http_requests_total{method=\"other\""}) {
    EXPECT_TRUE(HasSample(r.body, sample)) << sample;
  }
  EXPECT_EQ(r.body.find("FROBNICATE"), std::string::npos);
}

TEST_F(E2eTest, ConcurrentRetriesWithOneKeyWriteOnceAndAllGetTheFirstAnswer) {
  constexpr int kWriters = 8;
  const std::string body =
      "{" + Auth() + R"(,"messages":[{"sessionId":"race","role":"user","content":"once"}]})";
  std::vector<std::string> answers(kWriters);
  std::vector<int> statuses(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      auto client = server_->Client();
      Result<HttpResponse> r =
          client->Request("POST", "/api/messages", body, {{"Idempotency-Key", "race-key"}});
      statuses[i] = r.ok() ? r->status : -1;
      answers[i] = r.ok() ? r->body : r.status().ToString();
    });
  }
  for (auto& t : writers) t.join();
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_EQ(statuses[i], 200) << answers[i];
    EXPECT_EQ(answers[i], answers[0]) << "writer " << i << " got another answer";
  }
  HttpResponse r = Get("/api/messages?sessionId=race&" + QueryAuth());
  ASSERT_EQ(r.status, 200);
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(r.body)["messages"].get_array().size(), 1u) << r.body;
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
  second.reset();  // frees a place, once the server sees the close
  Result<HttpResponse> r = InvalidArgument("not tried");
  for (int attempt = 0; attempt < 100 && !r.ok(); ++attempt) {
    r = server.Client()->Request("GET", "/healthz");
  }
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(first->Request("GET", "/healthz")->status, 200);
}

}  // namespace
}  // namespace voxbase::testing
