// The folds of TablesProcessor, driven by real events through a real store.
#include "processors/tables_processor.h"

#include <gtest/gtest.h>

#include "processors/catalogue.h"
#include "projections/apps.h"
#include "projections/conversations.h"
#include "projections/experiments.h"
#include "projections/idempotency.h"
#include "projections/session_log.h"
#include "projections/sessions.h"
#include "projections/tables.h"
#include "storage/tests/test_dir.h"

namespace voxbase {

void RegisterAppFolds(FoldTable& folds);  // one module's, from apps_fold.cc

namespace {

constexpr char kApp[] = "app_0123456789abcdef";

class TablesProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options = ProjectionStoreOptions(dir_.path() + "/db");
    Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  Status Apply(EventType type, const std::string& app_id, int64_t ts, const std::string& payload) {
    std::string record =
        EncodeEvent(Event{"evt_" + std::to_string(offset_), type, app_id, ts, payload, tag_});
    Result<DecodedEvent> event = decoder_.Decode(record);
    if (!event.ok()) return event.status();
    auto batch = store_->NewBatch();
    VOX_RETURN_IF_ERROR(processor_.Apply(*event, {0, offset_++}, *batch));
    return store_->Write(*batch);
  }

  TestDir dir_;
  std::unique_ptr<ProjectionStore> store_;
  TablesProcessor processor_{TableFolds().value()};
  EventDecoder decoder_;
  int64_t offset_ = 0;
  std::optional<IdempotencyTag> tag_;
};

std::string AppPayload(const std::string& app_id, const std::string& name) {
  return R"({"appId":")" + app_id + R"(","slug":"shop","name":")" + name +
         R"(","secretSalt":"00","secretHash":"11","modelId":"","replyAsAudio":false,"systemPrompt":"","createdAt":1})";
}

TEST_F(TablesProcessorTest, FirstAppToClaimASlugKeepsIt) {
  ASSERT_TRUE(Apply(EventType::kAppCreated, kApp, 1, AppPayload(kApp, "first")).ok());
  ASSERT_TRUE(Apply(EventType::kAppCreated, "app_fedcba9876543210", 2,
                    AppPayload("app_fedcba9876543210", "second"))
                  .ok());
  Result<std::optional<AppRecord>> app = AppsView(*store_).FindBySlug("shop");
  ASSERT_TRUE(app.ok() && app->has_value());
  EXPECT_EQ((*app)->app_id, kApp);
  EXPECT_EQ((*app)->name, "first");
  Result<std::optional<AppRecord>> loser = AppsView(*store_).Get("app_fedcba9876543210");
  ASSERT_TRUE(loser.ok());
  EXPECT_FALSE(loser->has_value());
}

TEST_F(TablesProcessorTest, ConversationSavesMergeAndMoveTheTimeIndex) {
  ASSERT_TRUE(
      Apply(
          EventType::kConversationSaved, kApp, 500,
          R"({"sessionId":"s1","channel":"web","messages":[{"role":"user","content":"hi","ts":null}]})")
          .ok());
  ASSERT_TRUE(Apply(EventType::kConversationSaved, kApp, 900,
                    R"({"sessionId":"s1","status":"resolved","startedAt":100,"endedAt":400})")
                  .ok());
  ConversationsView view(*store_);
  Result<std::optional<std::string>> row = view.Get(kApp, "s1");
  ASSERT_TRUE(row.ok() && row->has_value());
  const std::string& json = **row;
  EXPECT_NE(json.find(R"("status":"resolved")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("channel":"web")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("startedAt":100)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("durationMs":300)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("createdAt":500,"updatedAt":900)"), std::string::npos) << json;
  // One index entry, under the new startedAt: the list shows the conversation once.
  Result<Page> page = view.List(kApp, "", 10, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows.size(), 1u);
}

// Experiments follow conversations and ratings, and conversations follow handoffs and rooms: one
// event moves three tables, none of whose folds calls another's.
TEST_F(TablesProcessorTest, HandoffsRoomsAndRatingsReachTheExperimentThroughTheConversation) {
  ASSERT_TRUE(
      Apply(
          EventType::kExperimentCreated, kApp, 1,
          R"({"experimentId":"exp_1","name":"x","variants":[{"id":"a","weight":1,"config":null}]})")
          .ok());
  for (const char* session : {"s1", "s2", "s3"}) {
    ASSERT_TRUE(Apply(EventType::kExperimentAssigned, kApp, 2,
                      std::string(R"({"experimentId":"exp_1","variantId":"a","sessionId":")") +
                          session + R"("})")
                    .ok());
  }
  auto variant = [this]() {
    Result<std::optional<ExperimentRow>> row = ExperimentsView(*store_).Get(kApp, "exp_1");
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->variants.at(0) : VariantRow{};
  };
  EXPECT_EQ(variant().exposures, 3);
  auto conversation_status = [this](const char* session) {
    Result<std::optional<std::string>> row = ConversationsView(*store_).Get(kApp, session);
    if (!row.ok() || !row->has_value()) return std::string("none");
    size_t at = (*row)->find(R"("status":")");
    return (*row)->substr(at + 10, (*row)->find('"', at + 10) - at - 10);
  };

  // s1: handed off, claimed, resolved.
  const std::string handoff =
      R"({"handoffId":"ho_1","sessionId":"s1","reason":"r","priority":"normal","aiSummary":"","transcript":[]})";
  ASSERT_TRUE(Apply(EventType::kHandoffCreated, kApp, 10, handoff).ok());
  EXPECT_EQ(conversation_status("s1"), "handed_off");
  EXPECT_EQ(variant().handed_off, 1);
  EXPECT_EQ(variant().resolved, 0);
  const std::string move =
      R"({"handoffId":"ho_1","agentId":"ag","notes":"","resolution":"fixed","action":")";
  ASSERT_TRUE(Apply(EventType::kHandoffMoved, kApp, 11, move + R"(claim"})").ok());
  EXPECT_EQ(conversation_status("s1"), "handed_off");
  ASSERT_TRUE(Apply(EventType::kHandoffMoved, kApp, 12, move + R"(resolve"})").ok());
  EXPECT_EQ(conversation_status("s1"), "resolved");
  EXPECT_EQ(variant().resolved, 1);
  // A second resolve is no move: nothing counts twice.
  ASSERT_TRUE(Apply(EventType::kHandoffMoved, kApp, 13, move + R"(resolve"})").ok());
  EXPECT_EQ(variant().resolved, 1);
  EXPECT_EQ(variant().handed_off, 1);

  // s2: its room ends (twice: the webhook after the API).
  ASSERT_TRUE(
      Apply(EventType::kLivekitRoomCreated, kApp, 20, R"({"roomName":"r2","sessionId":"s2"})")
          .ok());
  EXPECT_EQ(conversation_status("s2"), "none");
  ASSERT_TRUE(Apply(EventType::kLivekitRoomEnded, kApp, 21, R"({"roomName":"r2"})").ok());
  EXPECT_EQ(conversation_status("s2"), "resolved");
  EXPECT_EQ(variant().resolved, 2);
  ASSERT_TRUE(
      Apply(EventType::kConversationSaved, kApp, 22, R"({"sessionId":"s2","status":"active"})")
          .ok());
  EXPECT_EQ(variant().resolved, 1);
  ASSERT_TRUE(Apply(EventType::kLivekitWebhookReceived, kApp, 23,
                    R"({"event":"room_finished","room":{"name":"r2"},"createdAt":23})")
                  .ok());
  EXPECT_EQ(conversation_status("s2"), "active") << "a room that had ended ended again";
  EXPECT_EQ(variant().resolved, 1);

  // s3: rated, then re-rated.
  ASSERT_TRUE(
      Apply(EventType::kCsatRated, kApp, 30, R"({"sessionId":"s3","rating":2,"comment":""})").ok());
  ASSERT_TRUE(
      Apply(EventType::kCsatRated, kApp, 31, R"({"sessionId":"s3","rating":5,"comment":""})").ok());
  EXPECT_EQ(variant().csat_count, 1);
  EXPECT_EQ(variant().csat_sum, 5);
  // A session nobody exposed changes no counts.
  ASSERT_TRUE(
      Apply(EventType::kCsatRated, kApp, 32, R"({"sessionId":"s9","rating":1,"comment":""})").ok());
  ASSERT_TRUE(
      Apply(
          EventType::kHandoffCreated, kApp, 33,
          R"({"handoffId":"ho_9","sessionId":"s9","reason":"r","priority":"normal","aiSummary":"","transcript":[]})")
          .ok());
  EXPECT_EQ(variant().csat_count, 1);
  EXPECT_EQ(variant().handed_off, 1);
}

TEST_F(TablesProcessorTest, MalformedPayloadIsCorruptionNotASkip) {
  Status status =
      Apply(EventType::kMessagesAdded, kApp, 1, R"({"messages":[{"content":"no session"}]})");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  Status bad_app = Apply(EventType::kMessagesAdded, "not-an-app", 1, R"({"messages":[]})");
  EXPECT_EQ(bad_app.code(), StatusCode::kCorruption);
}

TEST_F(TablesProcessorTest, SessionTokensAreStoredByHashUnderTheirApp) {
  std::string hash(32, '\x07');
  std::string hex;
  for (unsigned char c : hash) {
    const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  ASSERT_TRUE(Apply(EventType::kSessionCreated, kApp, 10,
                    R"({"tokenHash":")" + hex + R"(","expiresAt":99})")
                  .ok());
  Result<std::optional<SessionRecord>> session = SessionsView(*store_).Find(kApp, hash);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->expires_at, 99);
  EXPECT_EQ((*session)->created_at, 10);
  Result<std::optional<SessionRecord>> other =
      SessionsView(*store_).Find("app_fedcba9876543210", hash);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST(FoldCatalogueTest, EveryEventTypeHasAHandler) {
  Result<FoldTable> folds = TableFolds();
  ASSERT_TRUE(folds.ok()) << folds.status().ToString();
  for (EventType type : AllEventTypes()) {
    EXPECT_FALSE(folds->Handlers(type).empty()) << EventTypeName(type);
  }
  FoldTable missing;
  RegisterAppFolds(missing);
  EXPECT_FALSE(missing.Check().ok()) << "a catalogue without every table's folds passed";
}

TEST_F(TablesProcessorTest, ARetryWithARecordedKeyChangesNothingAndTheKeyRecordsTheFirstEvent) {
  tag_ = IdempotencyTag{kApp, "key-1", "hash-a"};
  const std::string batch = R"({"messages":[{"sessionId":"s","createdAt":5,"content":"x"}]})";
  ASSERT_TRUE(Apply(EventType::kMessagesAdded, kApp, 1000, batch).ok());  // evt_0 at offset 0
  ASSERT_TRUE(Apply(EventType::kMessagesAdded, kApp, 2000, batch).ok());  // a racing retry
  Result<Page> rows = SessionLogView(*store_, Family(Table::kMessages)).List(kApp, "s", 10, "");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows.size(), 1u) << "the retry was applied as well";
  Result<std::optional<IdempotencyRecord>> record = IdempotencyView(*store_).Find(kApp, "key-1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->event_id, "evt_0");
  EXPECT_EQ((*record)->event_ts, 1000);
  EXPECT_EQ((*record)->offset, 0);
  EXPECT_EQ((*record)->request_hash, "hash-a");

  // Another app's identical key is its own.
  tag_ = IdempotencyTag{"app_fedcba9876543210", "key-1", "hash-a"};
  ASSERT_TRUE(Apply(EventType::kMessagesAdded, "app_fedcba9876543210", 3000, batch).ok());
  rows =
      SessionLogView(*store_, Family(Table::kMessages)).List("app_fedcba9876543210", "s", 10, "");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows.size(), 1u);
}

TEST_F(TablesProcessorTest, AKeyOlderThanADayIsFreeAgain) {
  tag_ = IdempotencyTag{kApp, "k", "h"};
  const std::string batch = R"({"messages":[{"sessionId":"s","createdAt":5,"content":"x"}]})";
  ASSERT_TRUE(Apply(EventType::kMessagesAdded, kApp, 1000, batch).ok());
  ASSERT_TRUE(Apply(EventType::kMessagesAdded, kApp, 1000 + kIdempotencyTtlMs, batch).ok());
  Result<Page> rows = SessionLogView(*store_, Family(Table::kMessages)).List(kApp, "s", 10, "");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows.size(), 2u);
  Result<std::optional<IdempotencyRecord>> record = IdempotencyView(*store_).Find(kApp, "k");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->event_id, "evt_1");
}

}  // namespace
}  // namespace voxbase
