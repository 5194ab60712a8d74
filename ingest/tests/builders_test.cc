#include <gtest/gtest.h>

#include "ingest/apps.h"
#include "ingest/conversations.h"
#include "ingest/secrets.h"
#include "ingest/session_log.h"
#include "ingest/sessions.h"
#include "schemas/ids.h"

namespace voxbase {
namespace {

class CommandsTest : public ::testing::Test {
 protected:
  CommandInput Input(const std::string& json) {
    body_ = json;
    EXPECT_FALSE(parser_.parse(body_).get(obj_)) << json;
    return CommandInput{&app_, obj_, 1700000000000, &limits_, event_id_, "token-key-0123456789"};
  }
  AppContext app_{"app_0123456789abcdef", false};
  IngestLimits limits_;
  simdjson::dom::parser parser_;
  simdjson::dom::object obj_;
  std::string body_;
  std::string event_id_ = "evt_00000000000000a1";
};

TEST_F(CommandsTest, AppCreatedRecordsOnlyTheSaltedHashOfTheSecret) {
  CommandInput in = Input(R"({"slug":"my-app","name":"My App","secret":"super-secret-value-123"})");
  in.app = nullptr;
  Result<Event> event = BuildAppCreated(in);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->app_id, "app_00000000000000a1") << "the app id derives from the event id";
  EXPECT_EQ(event->id, event_id_);
  EXPECT_EQ(event->payload_json.find("super-secret-value-123"), std::string::npos);
  EXPECT_NE(event->payload_json.find("secretHash"), std::string::npos);
  EXPECT_EQ(event->ts_ms, 1700000000000);
}

TEST_F(CommandsTest, SessionGrantRecordsTheTokenHashNotTheToken) {
  Result<SessionGrant> grant = BuildSessionCreated(Input(R"({"ttlMs":60000})"));
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->expires_at, 1700000060000);
  EXPECT_EQ(grant->event.payload_json.find(grant->token), std::string::npos);
  EXPECT_NE(grant->event.payload_json.find(HexEncode(Sha256(grant->token))), std::string::npos);
  std::string app_id;
  ASSERT_TRUE(SessionTokenAppId(grant->token, &app_id));
  EXPECT_EQ(app_id, app_.app_id);
  // Rebuilt with the same event id (an idempotent retry), the token is the same.
  Result<SessionGrant> again = BuildSessionCreated(Input(R"({"ttlMs":60000})"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->token, grant->token);
}

TEST_F(CommandsTest, MessagesGetIdsDefaultsAndIngestTime) {
  Result<BatchEvent> batch =
      BuildMessagesAdded(Input(R"({"messages":[{"sessionId":"s","role":"user","content":"hi"}]})"));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->items, 1u);
  const std::string& p = batch->event.payload_json;
  EXPECT_NE(p.find(R"("isFinal":true)"), std::string::npos) << p;
  EXPECT_NE(p.find(R"("createdAt":1700000000000)"), std::string::npos) << p;
  EXPECT_NE(p.find(R"("roomName":null)"), std::string::npos) << p;
  EXPECT_NE(p.find(R"("id":"msg_00000000000000a1.0")"), std::string::npos) << p;
}

TEST_F(CommandsTest, ABadItemAnywhereRefusesTheWholeBatchAndNamesIt) {
  Result<BatchEvent> batch = BuildTelemetryRecorded(
      Input(R"({"events":[{"type":"a","sessionId":"s"},{"type":"b","sessionId":"s","ts":-1}]})"));
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(batch.status().message().find("events[1].ts"), std::string::npos)
      << batch.status().message();
}

TEST_F(CommandsTest, ConversationCarriesOnlyTheFieldsGiven) {
  Result<ConversationCommand> c =
      BuildConversationSaved(Input(R"({"sessionId":"s","status":"abandoned"})"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->session_id, "s");
  EXPECT_EQ(c->event.payload_json, R"({"sessionId":"s","status":"abandoned"})");
}

TEST_F(CommandsTest, LimitsAreEnforced) {
  limits_.max_batch_items = 2;
  Result<BatchEvent> batch = BuildMessagesAdded(Input(
      R"({"messages":[{"sessionId":"s","role":"user","content":"1"},{"sessionId":"s","role":"user","content":"2"},{"sessionId":"s","role":"user","content":"3"}]})"));
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find("limit is 2"), std::string::npos);
}

}  // namespace
}  // namespace voxbase
