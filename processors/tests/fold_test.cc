// Fold subscriptions: several handlers of one event type in catalogue order, and row handlers that
// see the rows an event changed, before and after, through a real store.
#include "processors/fold.h"

#include <gtest/gtest.h>

#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

constexpr char kApp[] = "app_0123456789abcdef";

// What the handlers below saw, in order.
std::vector<std::string>& Seen() {
  static std::vector<std::string> seen;
  return seen;
}

std::string Show(const std::optional<std::string>& value) { return value ? *value : "-"; }

Status First(const FoldContext& c) {
  Seen().push_back("first");
  c.batch.Put(Family(Table::kHandoffs), "h1", "pending");
  return Status::Ok();
}

Status Second(const FoldContext& c) {
  Seen().push_back("second");
  c.batch.Put(Family(Table::kHandoffs), "h1", "claimed");  // the same row again: one change
  c.batch.Put(Family(Table::kTools), "t1", "unwatched");
  return Status::Ok();
}

// Follows handoffs into conversations, as conversations_fold.cc does.
Status FollowHandoff(const FoldContext& c, const RowChange& change) {
  Seen().push_back("handoff " + change.key + " " + Show(change.before) + "->" + Show(change.after));
  c.batch.Put(Family(Table::kConversations), "s1", "from " + Show(change.after));
  return Status::Ok();
}

// Follows conversations, as experiments_fold.cc does: a change made by a row handler cascades.
Status FollowConversation(const FoldContext&, const RowChange& change) {
  Seen().push_back("conversation " + change.key + " " + Show(change.before) + "->" +
                   Show(change.after));
  return Status::Ok();
}

Status Cycle(const FoldContext& c, const RowChange& change) {
  c.batch.Put(Family(Table::kHandoffs), change.key, Show(change.after) == "a" ? "b" : "a");
  return Status::Ok();
}

class FoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Seen().clear();
    Result<std::unique_ptr<ProjectionStore>> store =
        ProjectionStore::Open(ProjectionStoreOptions(dir_.path() + "/db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  Status Apply(const FoldTable& folds) {
    std::string record =
        EncodeEvent(Event{"evt_1", EventType::kHandoffCreated, kApp, 1, "{}", std::nullopt});
    Result<DecodedEvent> event = decoder_.Decode(record);
    if (!event.ok()) return event.status();
    auto batch = store_->NewBatch();
    LogPosition position{0, 0};
    VOX_RETURN_IF_ERROR(ApplyFolds(folds, FoldContext{*event, position, *batch, parser_}));
    return store_->Write(*batch);
  }

  TestDir dir_;
  std::unique_ptr<ProjectionStore> store_;
  EventDecoder decoder_;
  simdjson::dom::parser parser_;
};

TEST_F(FoldTest, HandlersRunInRegistrationOrderThenRowHandlersWithBeforeAndAfter) {
  FoldTable folds;
  folds.On(EventType::kHandoffCreated, &First);
  folds.On(EventType::kHandoffCreated, &Second);
  folds.OnRowChanged(Table::kHandoffs, &FollowHandoff);
  folds.OnRowChanged(Table::kConversations, &FollowConversation);
  ASSERT_TRUE(Apply(folds).ok());
  EXPECT_EQ(Seen(), (std::vector<std::string>{"first", "second", "handoff h1 -->claimed",
                                              "conversation s1 -->from claimed"}));
  // Again: the rows exist now, and the handlers see what they were.
  Seen().clear();
  ASSERT_TRUE(Apply(folds).ok());
  EXPECT_EQ(Seen(), (std::vector<std::string>{"first", "second", "handoff h1 claimed->claimed",
                                              "conversation s1 from claimed->from claimed"}));
}

TEST_F(FoldTest, ARowChangedAgainAfterItsHandlerRanIsHandedOverAgain) {
  FoldTable folds;
  folds.On(EventType::kHandoffCreated, &First);
  folds.OnRowChanged(Table::kHandoffs, &FollowHandoff);
  folds.OnRowChanged(Table::kConversations, &FollowConversation);
  folds.OnRowChanged(Table::kConversations, [](const FoldContext& c, const RowChange& change) {
    if (change.before) return Status::Ok();
    c.batch.Put(Family(Table::kConversations), change.key, "changed by a follower");
    return Status::Ok();
  });
  ASSERT_TRUE(Apply(folds).ok());
  EXPECT_EQ(Seen(), (std::vector<std::string>{
                        "first", "handoff h1 -->pending", "conversation s1 -->from pending",
                        "conversation s1 from pending->changed by a follower"}));
}

TEST_F(FoldTest, HandlersThatKeepChangingEachOtherStopTheRunnerInsteadOfLooping) {
  FoldTable folds;
  folds.On(EventType::kHandoffCreated, &First);
  folds.OnRowChanged(Table::kHandoffs, &Cycle);
  Status status = Apply(folds);
  EXPECT_EQ(status.code(), StatusCode::kInternal) << status.ToString();
}

TEST_F(FoldTest, ACatalogueWithATypeNobodyHearsIsRefused) {
  FoldTable folds;
  folds.OnRowChanged(Table::kHandoffs, &FollowHandoff);
  EXPECT_FALSE(folds.Check().ok());
}

}  // namespace
}  // namespace voxbase
