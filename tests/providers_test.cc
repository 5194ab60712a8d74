// Voice providers end to end, against real HTTP servers on loopback that answer as OpenAI and
// Gemini do: what voxbase sends them (key header, model, instructions, voice, expiry); LiveKit
// tokens decoded and their HMAC checked here, independently of the server's JWT library; and
// LiveKit webhooks signed here, good and bad.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/fake_upstream.h"
#include "tests/support/livekit_signing.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

constexpr char kOpenAiKey[] = "sk-test-openai-key-SECRET";
constexpr char kGeminiKey[] = "gemini-test-key-SECRET";
constexpr char kLivekitKey[] = "lk-test-key";
constexpr char kLivekitSecret[] = "lk-test-secret-0123456789abcdef-SECRET";

class ProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<FakeUpstream>([](const UpstreamRequest& request) {
      UpstreamReply reply;
      if (request.target == "/v1/realtime/client_secrets") {
        reply.body = R"({"value":"ek_live_1","expires_at":1900000000,"session":{"id":"sess_1"}})";
      } else if (request.target == "/v1alpha/auth_tokens") {
        reply.body = R"({"name":"auth_tokens/abc"})";
      } else {
        reply.status = 404;
      }
      return reply;
    });
    Environment env = {{"OPENAI_API_KEY", kOpenAiKey},
                       {"OPENAI_BASE_URL", upstream_->Url()},
                       {"GEMINI_API_KEY", kGeminiKey},
                       {"GEMINI_BASE_URL", upstream_->Url()},
                       {"LIVEKIT_API_KEY", kLivekitKey},
                       {"LIVEKIT_API_SECRET", kLivekitSecret},
                       {"LIVEKIT_URL", "wss://voice.example.com"}};
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::vector<std::string>{}, env);
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
    Result<HttpResponse> r = client_->Request(
        "POST", "/api/admin/apps",
        R"({"slug":"voice","name":"Voice","secret":"voice-secret-0123456789","modelId":"gemini-live-x","replyAsAudio":true,"systemPrompt":"You are Aria."})",
        {{"Authorization", std::string("Bearer ") + kAdminToken}});
    ASSERT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().ToString());
  }

  HttpResponse Post(const std::string& path, const std::string& fields) {
    std::string body = R"({"appSlug":"voice","appSecret":"voice-secret-0123456789")";
    if (!fields.empty()) body += "," + fields;
    Result<HttpResponse> r = client_->Request("POST", path, body + "}");
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : HttpResponse{};
  }

  HttpResponse Webhook(const std::string& body, const std::string& authorization) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    Result<HttpResponse> r = client_->Request("POST", "/api/livekit/webhook", body, headers);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : HttpResponse{};
  }

  std::string Signed(const std::string& body) {
    return WebhookToken(body, kLivekitKey, kLivekitSecret);
  }

  TempDir dir_;
  std::unique_ptr<FakeUpstream> upstream_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
};

TEST_F(ProvidersTest, OpenAiGetsTheKeyModelInstructionsVoiceAndExpiry) {
  HttpResponse r = Post("/api/realtime/session", R"("voice":"coral")");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonString(r.body, "client_secret"), "ek_live_1");
  ASSERT_EQ(upstream_->requests().size(), 1u);
  UpstreamRequest sent = upstream_->requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.Header("authorization"), std::string("Bearer ") + kOpenAiKey);
  simdjson::dom::parser parser;
  simdjson::dom::element body = parser.parse(sent.body).value();
  EXPECT_EQ(body["expires_after"]["anchor"].get_string().value(), "created_at");
  EXPECT_EQ(body["expires_after"]["seconds"].get_int64().value(), 60);
  EXPECT_EQ(body["session"]["type"].get_string().value(), "realtime");
  EXPECT_EQ(body["session"]["model"].get_string().value(), "gpt-realtime");
  EXPECT_EQ(body["session"]["instructions"].get_string().value(), "You are Aria.");
  EXPECT_EQ(body["session"]["audio"]["output"]["voice"].get_string().value(), "coral");
}

TEST_F(ProvidersTest, GeminiGetsTheKeyHeaderOneUseAndTheAppsSetup) {
  const int64_t before = std::time(nullptr);
  HttpResponse r = Post("/api/token", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonString(r.body, "token"), "auth_tokens/abc");
  ASSERT_EQ(upstream_->requests().size(), 1u);
  UpstreamRequest sent = upstream_->requests()[0];
  EXPECT_EQ(sent.Header("x-goog-api-key"), kGeminiKey);
  EXPECT_TRUE(sent.Header("authorization").empty());
  simdjson::dom::parser parser;
  simdjson::dom::element body = parser.parse(sent.body).value();
  EXPECT_EQ(body["uses"].get_int64().value(), 1);
  auto parse_time = [](std::string_view iso) {
    std::tm t{};
    strptime(std::string(iso).c_str(), "%Y-%m-%dT%H:%M:%SZ", &t);
    return static_cast<int64_t>(timegm(&t));
  };
  int64_t expire = parse_time(body["expireTime"].get_string().value());
  int64_t new_session = parse_time(body["newSessionExpireTime"].get_string().value());
  EXPECT_NEAR(static_cast<double>(expire - before), 1800.0, 5.0);
  EXPECT_NEAR(static_cast<double>(new_session - before), 60.0, 5.0);
  simdjson::dom::element setup = body["bidiGenerateContentSetup"].value();
  EXPECT_EQ(setup["model"].get_string().value(), "models/gemini-live-x");
  EXPECT_EQ(setup["generationConfig"]["responseModalities"].at(0).get_string().value(), "AUDIO");
  EXPECT_EQ(setup["systemInstruction"]["parts"].at(0)["text"].get_string().value(),
            "You are Aria.");
}

TEST_F(ProvidersTest, LivekitTokensAreHs256JwtsWithTheVideoGrant) {
  HttpResponse r =
      Post("/api/livekit/token", R"("identity":"caller-7","roomName":"voice.s1-1","name":"Ann",)"
                                 R"("metadata":"{\"tier\":1}","grants":{"canPublishData":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonString(r.body, "url"), "wss://voice.example.com");
  std::string token = JsonString(r.body, "token");
  size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  ASSERT_NE(dot1, dot2);
  // The signature checked here with OpenSSL, not with the server's JWT library.
  EXPECT_EQ(Base64Url(Hmac(kLivekitSecret, token.substr(0, dot2))), token.substr(dot2 + 1));
  EXPECT_NE(Base64Url(Hmac("another-secret", token.substr(0, dot2))), token.substr(dot2 + 1));
  simdjson::dom::parser parser;
  std::string header_json = Base64UrlDecode(token.substr(0, dot1));
  EXPECT_EQ(parser.parse(header_json)["alg"].get_string().value(), "HS256");
  std::string claims_json = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  simdjson::dom::element claims = parser.parse(claims_json).value();
  EXPECT_EQ(claims["iss"].get_string().value(), kLivekitKey);
  EXPECT_EQ(claims["sub"].get_string().value(), "caller-7");
  EXPECT_EQ(claims["name"].get_string().value(), "Ann");
  EXPECT_EQ(claims["metadata"].get_string().value(), "{\"tier\":1}");
  int64_t nbf = claims["nbf"].get_int64().value(), exp = claims["exp"].get_int64().value();
  EXPECT_EQ(exp - nbf, 6 * 3600);
  EXPECT_NEAR(static_cast<double>(nbf), static_cast<double>(std::time(nullptr)), 5.0);
  simdjson::dom::element video = claims["video"].value();
  EXPECT_TRUE(video["roomJoin"].get_bool().value());
  EXPECT_EQ(video["room"].get_string().value(), "voice.s1-1");
  EXPECT_TRUE(video["canPublish"].get_bool().value());
  EXPECT_TRUE(video["canSubscribe"].get_bool().value());
  EXPECT_FALSE(video["canPublishData"].get_bool().value());
}

TEST_F(ProvidersTest, WebhooksAreVerifiedOnTheRawBytesAndMoveRoomsAndParticipants) {
  HttpResponse room = Post("/api/livekit/rooms", R"("sessionId":"call-1")");
  ASSERT_EQ(room.status, 201) << room.body;
  simdjson::dom::parser parser;
  std::string name(parser.parse(room.body)["room"]["roomName"].get_string().value());
  auto event = [&](const std::string& id, const std::string& kind, const std::string& who) {
    return R"({"event":")" + kind + R"(","id":")" + id + R"(","createdAt":1700000000,)" +
           R"("room":{"name":")" + name + R"(","sid":"RM_1"})" +
           (who.empty() ? "" : R"(,"participant":{"identity":")" + who + R"(","name":"N"})") + "}";
  };

  const std::string started = event("EV_1", "room_started", "");
  EXPECT_EQ(Webhook(started, "").status, 401) << "no Authorization header";
  EXPECT_EQ(Webhook(started, WebhookToken(started, kLivekitKey, "wrong-secret")).status, 401);
  EXPECT_EQ(Webhook(started, WebhookToken(started, "another-key", kLivekitSecret)).status, 401);
  EXPECT_EQ(Webhook(started, WebhookToken(started, kLivekitKey, kLivekitSecret, -60)).status, 401)
      << "an expired signature";
  std::string tampered = started;
  tampered.replace(tampered.find("RM_1"), 4, "RM_2");
  EXPECT_EQ(Webhook(tampered, Signed(started)).status, 401) << "a body that was changed";
  EXPECT_EQ(Webhook(started, "Bearer " + Signed(started)).status, 401) << "LiveKit sends no Bearer";

  ASSERT_EQ(Webhook(started, Signed(started)).status, 200);
  HttpResponse again = Webhook(started, Signed(started));
  EXPECT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("duplicate"), std::string::npos) << again.body;
  for (const auto& [id, kind, who] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"EV_2", "participant_joined", "caller"},
           {"EV_3", "participant_joined", "agent-1"},
           {"EV_4", "participant_connection_aborted", "caller"},
           {"EV_5", "track_published", "agent-1"}}) {
    std::string body = event(id, kind, who);
    ASSERT_EQ(Webhook(body, Signed(body)).status, 200) << kind;
  }
  Result<HttpResponse> listed =
      client_->Request("GET", "/api/livekit/rooms?appSlug=voice&appSecret=voice-secret-0123456789");
  ASSERT_TRUE(listed.ok());
  simdjson::dom::element rooms = parser.parse(listed->body)["rooms"].value();
  ASSERT_EQ(rooms.get_array().size(), 1u) << listed->body;
  EXPECT_EQ(rooms.at(0)["status"].get_string().value(), "active");
  EXPECT_EQ(rooms.at(0)["roomSid"].get_string().value(), "RM_1");
  simdjson::dom::array people = rooms.at(0)["participants"].get_array().value();
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people.at(0)["identity"].get_string().value(), "agent-1");
  EXPECT_EQ(people.at(0)["kind"].get_string().value(), "agent");
  EXPECT_EQ(people.at(1)["identity"].get_string().value(), "caller");
  EXPECT_EQ(people.at(1)["kind"].get_string().value(), "user");
  EXPECT_EQ(people.at(1)["status"].get_string().value(), "aborted");

  const std::string finished = event("EV_6", "room_finished", "");
  ASSERT_EQ(Webhook(finished, Signed(finished)).status, 200);
  Result<HttpResponse> conversation = client_->Request(
      "GET", "/api/conversations?sessionId=call-1&appSlug=voice&appSecret=voice-secret-0123456789");
  ASSERT_TRUE(conversation.ok());
  EXPECT_EQ(parser.parse(conversation->body)["conversation"]["status"].get_string().value(),
            "resolved");

  // Replay keeps rooms, participants and the deduplication of deliveries.
  server_->Stop();
  CommandOutput live = RunVoxbase({"checksum", "--data-dir", dir_.path()});
  ASSERT_EQ(RunVoxbase({"replay", "--data-dir", dir_.path()}).exit_code, 0);
  EXPECT_EQ(RunVoxbase({"checksum", "--data-dir", dir_.path()}).stdout_text, live.stdout_text);
  ASSERT_NO_FATAL_FAILURE(server_->Start());
  ASSERT_TRUE(server_->WaitReady());
  client_ = server_->Client();
  HttpResponse redelivered = Webhook(started, Signed(started));
  EXPECT_EQ(redelivered.status, 200);
  EXPECT_NE(redelivered.body.find("duplicate"), std::string::npos) << redelivered.body;
}

TEST_F(ProvidersTest, AHandedOffConversationStaysHandedOffWhenItsRoomFinishes) {
  ASSERT_EQ(Post("/api/conversations", R"("sessionId":"call-2","status":"handed_off")").status,
            200);
  HttpResponse room = Post("/api/livekit/rooms", R"("sessionId":"call-2")");
  ASSERT_EQ(room.status, 201);
  simdjson::dom::parser parser;
  std::string name(parser.parse(room.body)["room"]["roomName"].get_string().value());
  std::string finished =
      R"({"event":"room_finished","id":"EV_9","room":{"name":")" + name + R"("}})";
  ASSERT_EQ(Webhook(finished, Signed(finished)).status, 200);
  Result<HttpResponse> conversation = client_->Request(
      "GET", "/api/conversations?sessionId=call-2&appSlug=voice&appSecret=voice-secret-0123456789");
  ASSERT_TRUE(conversation.ok());
  EXPECT_EQ(parser.parse(conversation->body)["conversation"]["status"].get_string().value(),
            "handed_off");
}

TEST_F(ProvidersTest, KeysNeverReachTheLogTheProjectionsOrAnAnswer) {
  ASSERT_EQ(Post("/api/realtime/session", "").status, 200);
  ASSERT_EQ(Post("/api/token", "").status, 200);
  HttpResponse lk = Post("/api/livekit/token", R"("identity":"u","roomName":"voice.r-1")");
  ASSERT_EQ(lk.status, 200);
  Result<HttpResponse> health = client_->Request("GET", "/api/realtime/health");
  ASSERT_TRUE(health.ok());
  for (const std::string& answer : {lk.body, health->body}) {
    EXPECT_EQ(answer.find("SECRET"), std::string::npos) << answer;
  }
  server_->Stop();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    for (const char* secret :
         {kOpenAiKey, kGeminiKey, kLivekitSecret, "ek_live_1", "auth_tokens/abc"}) {
      EXPECT_EQ(bytes.str().find(secret), std::string::npos)
          << secret << " found in " << entry.path();
    }
  }
}

}  // namespace
}  // namespace voxbase::testing
