// What the case files cannot say: a node killed in the middle of a slow tool call records that
// execution as interrupted when it comes back, and agents racing to claim one handoff get exactly
// one winner, the same one after a replay.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <thread>

#include "tests/support/fake_upstream.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

constexpr char kAuth[] = R"("appSlug":"tools","appSecret":"tools-secret-0123456789")";
constexpr char kQueryAuth[] = "appSlug=tools&appSecret=tools-secret-0123456789";

class ToolsTest : public ::testing::Test {
 protected:
  void Start(Environment env = {}) {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::vector<std::string>{}, env);
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
  }
  void CreateToolsApp() {
    Result<HttpResponse> r =
        client_->Request("POST", "/api/admin/apps",
                         R"({"slug":"tools","name":"T","secret":"tools-secret-0123456789"})",
                         {{"Authorization", std::string("Bearer ") + kAdminToken}});
    ASSERT_TRUE(r.ok() && r->status == 201);
  }
  HttpResponse Send(const std::string& method, const std::string& path, const std::string& fields) {
    Result<HttpResponse> r =
        server_->Client()->Request(method, path, std::string("{") + kAuth + "," + fields + "}");
    if (r.ok()) return *r;
    HttpResponse failed;
    failed.status = -1;
    failed.body = r.status().ToString();
    return failed;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
};

TEST_F(ToolsTest, AKillDuringASlowCallLeavesTheExecutionInterruptedAfterRestart) {
  std::atomic<int> calls{0};
  FakeUpstream upstream([&calls](const UpstreamRequest&) {
    ++calls;
    UpstreamReply reply;
    reply.delay = std::chrono::milliseconds(20000);
    return reply;
  });
  const Environment env = {{"VOXBASE_ALLOW_PRIVATE_TOOL_ENDPOINTS", "true"}};
  ASSERT_NO_FATAL_FAILURE(Start(env));
  ASSERT_NO_FATAL_FAILURE(CreateToolsApp());
  ASSERT_EQ(Send("POST", "/api/tools",
                 R"("name":"slow","endpoint":")" + upstream.Url("/slow") + R"(","timeoutMs":60000)")
                .status,
            201);
  std::thread caller(
      [this] { Send("POST", "/api/tools/execute", R"("sessionId":"s","toolName":"slow")"); });
  // Kill only once the call is in flight: recorded as started, and the endpoint reached.
  for (int i = 0; i < 500 && calls.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(calls.load(), 1) << "the tool endpoint was never called";
  server_->Kill();
  caller.join();

  ASSERT_NO_FATAL_FAILURE(Start(env));
  std::string status;
  for (int i = 0; i < 500 && status != "interrupted"; ++i) {
    Result<HttpResponse> r =
        client_->Request("GET", std::string("/api/tools/executions?sessionId=s&") + kQueryAuth);
    ASSERT_TRUE(r.ok());
    status = JsonString(r->body, "status");
    simdjson::dom::parser parser;
    std::string_view s;
    if (!parser.parse(r->body)["executions"].at(0)["status"].get(s)) status = std::string(s);
    if (status != "interrupted") std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(status, "interrupted");
  EXPECT_EQ(calls.load(), 1) << "the call was made again";

  // A replay agrees, and a second restart finds nothing left open.
  server_->Stop();
  CommandOutput live = RunVoxbase({"checksum", "--data-dir", dir_.path()});
  ASSERT_EQ(RunVoxbase({"replay", "--data-dir", dir_.path()}).exit_code, 0);
  EXPECT_EQ(RunVoxbase({"checksum", "--data-dir", dir_.path()}).stdout_text, live.stdout_text);
}

TEST_F(ToolsTest, OversizedRedirectingAndCutOffEndpointsEndInErrorAndAreAudited) {
  FakeUpstream elsewhere([](const UpstreamRequest&) { return UpstreamReply{}; });
  const std::string stolen = elsewhere.Url("/stolen");
  FakeUpstream endpoint([&stolen](const UpstreamRequest& request) {
    UpstreamReply reply;
    if (request.target == "/huge") reply.body = "{\"x\":\"" + std::string(2 << 20, 'x') + "\"}";
    if (request.target == "/away") {
      reply.status = 302;
      reply.headers = {{"Location", stolen}};
    }
    if (request.target == "/cut") {
      reply.body = "{\"partial\":\"" + std::string(10000, 'y') + "\"}";
      reply.close_mid_body = true;
    }
    return reply;
  });
  ASSERT_NO_FATAL_FAILURE(Start({{"VOXBASE_ALLOW_PRIVATE_TOOL_ENDPOINTS", "true"}}));
  ASSERT_NO_FATAL_FAILURE(CreateToolsApp());
  for (const char* name : {"huge", "away", "cut"}) {
    SCOPED_TRACE(name);
    ASSERT_EQ(Send("POST", "/api/tools",
                   std::string(R"("name":")") + name + R"(","endpoint":")" +
                       endpoint.Url(std::string("/") + name) + "\"")
                  .status,
              201);
    HttpResponse r = Send("POST", "/api/tools/execute",
                          std::string(R"("sessionId":"bad-endpoints","toolName":")") + name + "\"");
    EXPECT_EQ(r.status, 502) << r.body.substr(0, 300);
    EXPECT_EQ(JsonString(r.body, "status"), "error") << r.body.substr(0, 300);
  }
  EXPECT_TRUE(elsewhere.requests().empty()) << "a redirect to another host was followed";
  Result<HttpResponse> audit = client_->Request(
      "GET", std::string("/api/tools/executions?sessionId=bad-endpoints&") + kQueryAuth);
  ASSERT_TRUE(audit.ok());
  simdjson::dom::parser parser;
  simdjson::dom::array rows = parser.parse(audit->body)["executions"].get_array().value();
  ASSERT_EQ(rows.size(), 3u);
  for (simdjson::dom::object row : rows) {
    EXPECT_EQ(row["status"].get_string().value(), "error");
    EXPECT_FALSE(row["error"].get_string().value().empty());
  }
}

TEST_F(ToolsTest, AgentsRacingToClaimOneHandoffGetExactlyOneWinner) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(CreateToolsApp());
  constexpr int kAgents = 8;
  for (int round = 0; round < 5; ++round) {
    HttpResponse created =
        Send("POST", "/api/handoffs", R"("sessionId":"race-)" + std::to_string(round) + "\"");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = JsonString(created.body, "handoffId");
    std::vector<int> statuses(kAgents);
    std::vector<std::string> holders(kAgents);
    std::vector<std::thread> agents;
    for (int a = 0; a < kAgents; ++a) {
      agents.emplace_back([&, a] {
        HttpResponse r = Send("PATCH", "/api/handoffs",
                              R"("handoffId":")" + id + R"(","action":"claim","agentId":"agent-)" +
                                  std::to_string(a) + "\"");
        statuses[a] = r.status;
        simdjson::dom::parser parser;
        std::string_view holder;
        simdjson::dom::element root;
        if (!parser.parse(r.body).get(root)) {
          if (root["handoff"]["agentId"].get(holder) && root["agentId"].get(holder)) holder = {};
        }
        holders[a] = std::string(holder);
      });
    }
    for (auto& t : agents) t.join();
    int winners = 0;
    std::string winner;
    for (int a = 0; a < kAgents; ++a) {
      if (statuses[a] == 200) {
        ++winners;
        winner = "agent-" + std::to_string(a);
        EXPECT_EQ(holders[a], winner);
      } else {
        EXPECT_EQ(statuses[a], 409);
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    for (int a = 0; a < kAgents; ++a)
      EXPECT_EQ(holders[a], winner) << "every answer names the winner";
  }
  server_->Stop();
  CommandOutput live = RunVoxbase({"checksum", "--data-dir", dir_.path()});
  ASSERT_EQ(RunVoxbase({"replay", "--data-dir", dir_.path()}).exit_code, 0);
  EXPECT_EQ(RunVoxbase({"checksum", "--data-dir", dir_.path()}).stdout_text, live.stdout_text)
      << "a replay crowned another winner";
}

}  // namespace
}  // namespace voxbase::testing
