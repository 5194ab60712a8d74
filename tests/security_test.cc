// Issue 32's attacks, each tried as an attacker would and seen refused, against one server that
// must survive all of them: a tool's JSON Schema pattern that backtracks without end or overflows
// std::regex's stack, one app joining another app's LiveKit rooms (slugs that prefix one another),
// webhook signatures without exp or that live for a day, duplicate credentials outside the body,
// and an admin token too short to guard anything. (The DNS leak, the IPv6 forms and the upstream's
// text are in tests/cases/tools_guard.json and providers_upstream_text.json.)
#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/support/fake_upstream.h"
#include "tests/support/livekit_signing.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

constexpr char kLivekitKey[] = "lk-security-key";
constexpr char kLivekitSecret[] = "lk-security-secret-0123456789abcdef";

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tool_ = std::make_unique<FakeUpstream>([](const UpstreamRequest&) {
      UpstreamReply reply;
      reply.body = R"({"ok":true})";
      return reply;
    });
    Environment env = {{"LIVEKIT_API_KEY", kLivekitKey},
                       {"LIVEKIT_API_SECRET", kLivekitSecret},
                       {"LIVEKIT_URL", "wss://voice.example.com"}};
    // The tool endpoint lives on loopback; the guard's own refusals are in tools_guard.json.
    server_ = std::make_unique<ServerProcess>(
        dir_.path(), std::vector<std::string>{"--allow-private-tool-endpoints"}, env);
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
    // "app" is a prefix of "app-b": room ownership must not hang on where a '-' falls.
    a_ = CreateApp(*client_, "app");
    b_ = CreateApp(*client_, "app-b");
  }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Result<HttpResponse> r = client_->Request(method, target, body, headers);
    EXPECT_TRUE(r.ok()) << target << ": the server did not answer: " << r.status().ToString();
    if (!r.ok()) {
      client_ = server_->Client();
      HttpResponse failed;
      failed.status = -1;
      return failed;
    }
    return *r;
  }
  std::string Auth(const TestApp& app) {
    return R"("appSlug":")" + app.slug + R"(","appSecret":")" + app.secret + R"(")";
  }
  HttpResponse Post(const TestApp& app, const std::string& path, const std::string& fields) {
    return Call("POST", path, "{" + Auth(app) + "," + fields + "}");
  }
  // A user token bound to `session`.
  std::string SessionToken(const TestApp& app, const std::string& session) {
    HttpResponse r =
        Post(app, "/api/auth/session", R"("ttlMs":600000,"sessionId":")" + session + "\"");
    EXPECT_EQ(r.status, 200) << r.body;
    return JsonString(r.body, "sessionToken");
  }
  HttpResponse Webhook(const std::string& body, const std::string& authorization) {
    return Call("POST", "/api/livekit/webhook", body, {{"Authorization", authorization}});
  }
  // A tool whose one string parameter q must match `pattern`, given as JSON string text.
  HttpResponse RegisterPatternTool(const std::string& name, const std::string& pattern) {
    return Post(a_, "/api/tools",
                R"("name":")" + name + R"(","endpoint":")" + tool_->Url("/tool") +
                    R"(","parametersSchema":{"type":"object","properties":{"q":{"type":"string",)" +
                    R"("pattern":")" + pattern + R"("}}})");
  }
  void ExpectAlive() {
    HttpResponse health = Call("GET", "/healthz", "");
    EXPECT_EQ(health.status, 200) << "the server died";
  }

  TempDir dir_;
  std::unique_ptr<FakeUpstream> tool_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
  TestApp a_, b_;
};

TEST_F(SecurityTest, EveryAttackIsRefusedAndTheServerSurvivesThemAll) {
  // 1. A schema pattern on untrusted parameters: std::regex overflowed its stack at 20,000
  //    characters against ^(a|b)*$, and ^(a+)+$ doubled in time with each character.
  ASSERT_EQ(RegisterPatternTool("alternation", "^(a|b)*$").status, 201);
  ASSERT_EQ(RegisterPatternTool("nested", "^(a+)+$").status, 201);
  const std::string long_a(60000, 'a');
  HttpResponse executed =
      Post(a_, "/api/tools/execute",
           R"("sessionId":"s1","toolName":"alternation","parameters":{"q":")" + long_a + R"("})");
  EXPECT_EQ(executed.status, 200) << executed.body.substr(0, 300);
  ExpectAlive();
  HttpResponse realtime =
      Call("POST", "/api/realtime/execute-tool",
           R"({"sessionToken":")" + SessionToken(a_, "s1") +
               R"(","name":"alternation","sessionId":"s1","args":{"q":")" + long_a + R"(b"}})");
  EXPECT_EQ(realtime.status, 200) << realtime.body.substr(0, 300);
  HttpResponse nested = Post(a_, "/api/tools/execute",
                             R"("sessionId":"s1","toolName":"nested","parameters":{"q":")" +
                                 std::string(40, 'a') + R"(!"})");
  EXPECT_EQ(nested.status, 400) << nested.body;
  EXPECT_NE(nested.body.find("parameters.q"), std::string::npos) << nested.body;
  ExpectAlive();

  // A pattern RE2 cannot run is refused at registration, naming it.
  HttpResponse backreference = RegisterPatternTool("backref", R"(^(a)\\1$)");  // JSON text
  EXPECT_EQ(backreference.status, 400);
  EXPECT_NE(backreference.body.find("^(a)\\\\1$"), std::string::npos) << backreference.body;
  HttpResponse lookahead = Post(
      a_, "/api/tools",
      R"("name":"lookahead","endpoint":")" + tool_->Url("/tool") +
          R"j(","parametersSchema":{"type":"object","patternProperties":{"^(?!x)":{"type":"string"}}})j");
  EXPECT_EQ(lookahead.status, 400);
  EXPECT_NE(lookahead.body.find("patternProperties"), std::string::npos) << lookahead.body;

  // 2. LiveKit rooms: one LiveKit key serves every app, so a token may name only the caller's own
  //    rooms. App "app" is a prefix of "app-b".
  HttpResponse room = Post(b_, "/api/livekit/rooms", R"("sessionId":"bsess")");
  ASSERT_EQ(room.status, 201) << room.body;
  simdjson::dom::parser parser;
  const std::string b_room(parser.parse(room.body)["room"]["roomName"].get_string().value());
  EXPECT_EQ(b_room.rfind("app-b.bsess.", 0), 0u) << b_room;
  HttpResponse again = Post(b_, "/api/livekit/rooms", R"("sessionId":"bsess")");
  ASSERT_EQ(again.status, 201);
  EXPECT_NE(std::string(parser.parse(again.body)["room"]["roomName"].get_string().value()), b_room)
      << "a random suffix: a live room is not guessable from its session and second";
  const std::string a_token = SessionToken(a_, "asess");
  for (const std::string& target : {b_room, std::string("app-b.fake.1"),
                                    std::string("app-b-bsess-1796355325"), std::string("app-b")}) {
    HttpResponse stolen =
        Call("POST", "/api/livekit/token",
             R"({"sessionToken":")" + a_token + R"(","identity":"eavesdropper","roomName":")" +
                 target + R"(","grants":{"canSubscribe":true}})");
    EXPECT_EQ(stolen.status, 403) << target << ": " << stolen.body;
  }
  // A user token joins the room made for its own session, and no other.
  HttpResponse a_room = Post(a_, "/api/livekit/rooms", R"("sessionId":"asess")");
  ASSERT_EQ(a_room.status, 201) << a_room.body;
  const std::string own_room(parser.parse(a_room.body)["room"]["roomName"].get_string().value());
  HttpResponse own = Call("POST", "/api/livekit/token",
                          R"({"sessionToken":")" + a_token +
                              R"(","identity":"caller","roomName":")" + own_room + R"("})");
  EXPECT_EQ(own.status, 200) << own.body;
  HttpResponse named =
      Call("POST", "/api/livekit/token",
           R"({"sessionToken":")" + a_token + R"(","identity":"caller","roomName":"app.asess.1"})");
  EXPECT_EQ(named.status, 403) << "a user token may not name a room of its own: " << named.body;

  // A webhook for a room that no app made and whose name only starts with a slug joins nobody.
  const std::string fake_room = "app-b-fake-1";
  const std::string joined = R"({"event":"participant_joined","id":"EV_F1","room":{"name":")" +
                             fake_room + R"("},"participant":{"identity":"intruder"}})";
  HttpResponse ignored = Webhook(joined, WebhookToken(joined, kLivekitKey, kLivekitSecret));
  EXPECT_EQ(ignored.status, 200);
  EXPECT_NE(ignored.body.find("ignored"), std::string::npos) << ignored.body;
  HttpResponse b_rooms = Call("GET", "/api/livekit/rooms?appSlug=app-b&appSecret=" + b_.secret, "");
  EXPECT_EQ(b_rooms.body.find("intruder"), std::string::npos) << b_rooms.body;
  EXPECT_EQ(b_rooms.body.find(fake_room), std::string::npos) << b_rooms.body;

  // Webhook signatures must carry exp, and not live for long.
  const std::string started =
      R"({"event":"room_started","id":"EV_S1","room":{"name":")" + b_room + R"("}})";
  EXPECT_EQ(
      Webhook(started, WebhookToken(started, kLivekitKey, kLivekitSecret, std::nullopt)).status,
      401)
      << "no exp";
  EXPECT_EQ(Webhook(started, WebhookToken(started, kLivekitKey, kLivekitSecret, 86400)).status, 401)
      << "valid for a day";
  EXPECT_EQ(Webhook(started, WebhookToken(started, kLivekitKey, kLivekitSecret)).status, 200);

  // 3. Credentials given twice outside the body: a proxy taking the other copy would disagree.
  const std::string a_query = "appSlug=app&appSecret=" + a_.secret;
  EXPECT_EQ(Call("GET", "/api/tools?appSlug=app-b&" + a_query, "").status, 400);
  EXPECT_EQ(Call("GET", "/api/tools?" + a_query + "&appSlug=app-b", "").status, 400);
  EXPECT_EQ(Call("GET", "/api/tools?" + a_query + "&sessionToken=x&sessionToken=y", "").status,
            400);
  EXPECT_EQ(Call("GET", "/api/tools", "",
                 {{"X-App-Slug", "app"}, {"X-App-Slug", "app-b"}, {"X-App-Secret", a_.secret}})
                .status,
            400);
  EXPECT_EQ(Call("GET", "/api/tools", "",
                 {{"Authorization", "Bearer " + a_token}, {"Authorization", "Bearer x"}})
                .status,
            400);
  EXPECT_EQ(Call("GET", "/api/tools?" + a_query, "").status, 200) << "once is fine";

  ExpectAlive();
}

TEST(SecurityStartTest, AShortAdminTokenRefusesToStartAndNamesTheVariable) {
  TempDir dir;
  CommandOutput out = RunVoxbase(
      {"serve", "--port", "0", "--data-dir", dir.path(), "--admin-token", "short-token"});
  EXPECT_NE(out.exit_code, 0);
  EXPECT_NE(out.stderr_text.find("VOXBASE_ADMIN_TOKEN"), std::string::npos) << out.stderr_text;
}

}  // namespace
}  // namespace voxbase::testing
