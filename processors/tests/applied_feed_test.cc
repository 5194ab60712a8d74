// The applied feed: a subscriber sees every applied record in order, with the rows it changed; one
// that stops reading is sent a gap marker and holds nobody up; and what it was sent had been
// committed: after kill -9 and a restart the projections hold all of it.
#include "processors/applied_feed.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <thread>

#include "processors/catalogue.h"
#include "processors/runner.h"
#include "processors/tables_processor.h"
#include "projections/conversations.h"
#include "projections/tables.h"
#include "storage/segment_log.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

constexpr char kApp[] = "app_0123456789abcdef";

AppliedRecord Record(int64_t offset) {
  return AppliedRecord{
      {0, offset}, kApp, EventType::kConversationSaved, "evt_" + std::to_string(offset), {}};
}

std::string Conversation(int i) {
  return EncodeEvent(Event{"evt_" + std::to_string(i), EventType::kConversationSaved, kApp,
                           1000 + i, R"({"sessionId":"s)" + std::to_string(i) + R"("})",
                           std::nullopt});
}

// Takes items until `count` records (not gaps) arrived or nothing came for 10 s.
std::vector<FeedItem> Take(AppliedFeed::Subscription& subscription, size_t count) {
  std::vector<FeedItem> items;
  size_t records = 0;
  while (records < count) {
    std::vector<FeedItem> more = subscription.Next(std::chrono::seconds(10));
    if (more.empty()) break;
    for (FeedItem& item : more) {
      records += item.gap ? 0 : 1;
      items.push_back(std::move(item));
    }
  }
  return items;
}

TEST(AppliedFeedTest, AFullQueueDropsAndThenSaysFromWhereAndNothingElseIsHeldUp) {
  AppliedFeed feed;
  EXPECT_FALSE(feed.active());
  auto slow = feed.Subscribe("slow", 4);
  auto fast = feed.Subscribe("fast", 100);
  EXPECT_TRUE(feed.active());
  std::vector<AppliedRecord> records;
  for (int64_t i = 0; i < 10; ++i) records.push_back(Record(i));
  feed.Publish(records);
  feed.Publish({Record(10)});

  std::vector<FeedItem> items = slow->Next(std::chrono::milliseconds(0));
  ASSERT_EQ(items.size(), 5u);
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(items[static_cast<size_t>(i)].gap);
    EXPECT_EQ(items[static_cast<size_t>(i)].record.position.offset, i);
  }
  EXPECT_TRUE(items[4].gap);
  EXPECT_EQ(items[4].first_lost.offset, 4);
  EXPECT_EQ(slow->delivered(), 4u);
  EXPECT_EQ(slow->dropped(), 7u);
  EXPECT_EQ(fast->Next(std::chrono::milliseconds(0)).size(), 11u);
  EXPECT_EQ(fast->dropped(), 0u);

  // Having taken its queue, the slow one receives again, with no second gap.
  feed.Publish({Record(11), Record(12)});
  items = slow->Next(std::chrono::milliseconds(0));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].record.position.offset, 11);
  EXPECT_FALSE(items[1].gap);

  // Once every subscriber is dropping, the runner lists nothing and says what was dropped; one
  // that took its queue in between is sent a gap, not silence.
  EXPECT_TRUE(feed.wants_records());
  feed.Publish({Record(13), Record(14), Record(15), Record(16), Record(17)});  // slow overflows
  EXPECT_TRUE(feed.wants_records()) << "fast still takes records";
  fast.reset();
  EXPECT_FALSE(feed.wants_records());
  EXPECT_EQ(slow->Next(std::chrono::milliseconds(0)).size(), 4u + 1u);
  EXPECT_TRUE(feed.wants_records());
  feed.Drop({0, 18}, 3);
  items = slow->Next(std::chrono::milliseconds(0));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].gap);
  EXPECT_EQ(items[0].first_lost.offset, 18);
  EXPECT_EQ(slow->dropped(), 7u + 1u + 3u);

  slow.reset();
  EXPECT_FALSE(feed.active());
}

TEST(AppliedFeedTest, CancelWakesAWaitingSubscriber) {
  AppliedFeed feed;
  auto subscription = feed.Subscribe("waiting", 4);
  std::thread canceller([&] { subscription->Cancel(); });
  // Without Cancel this would wait an hour.
  EXPECT_TRUE(subscription->Next(std::chrono::hours(1)).empty());
  canceller.join();
}

class AppliedFeedRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open({.dir = dir_.path() + "/log"});
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    Result<std::unique_ptr<ProjectionStore>> store =
        ProjectionStore::Open(ProjectionStoreOptions(dir_.path() + "/db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  TestDir dir_;
  std::unique_ptr<SegmentLog> log_;
  std::unique_ptr<ProjectionStore> store_;
};

TEST_F(AppliedFeedRunnerTest, ASubscriberSeesEveryAppliedRecordInOrderWithItsRows) {
  AppliedFeed feed;
  auto reader = feed.Subscribe("reader", 10000);
  auto stalled = feed.Subscribe("stalled", 8);  // never reads
  TablesProcessor tables(TableFolds().value());
  RunnerOptions options;
  options.feed = &feed;
  options.max_batch_records = 16;
  ProcessorRunner runner(*log_, *store_, tables, nullptr, nullptr, options);
  ASSERT_TRUE(runner.Start().ok());
  constexpr int kEvents = 300;
  for (int i = 0; i < kEvents; ++i) ASSERT_TRUE(log_->AppendAndWait("k", Conversation(i)).ok());
  ASSERT_TRUE(log_->AppendAndWait("k", "not an event").ok());  // dead-lettered: not applied
  ASSERT_TRUE(log_->AppendAndWait("k", Conversation(kEvents)).ok());

  std::vector<FeedItem> items = Take(*reader, kEvents + 1);
  runner.Stop();
  ASSERT_EQ(items.size(), static_cast<size_t>(kEvents + 1));
  for (int i = 0; i <= kEvents; ++i) {
    const FeedItem& item = items[static_cast<size_t>(i)];
    ASSERT_FALSE(item.gap);
    EXPECT_EQ(item.record.position.offset, i < kEvents ? i : i + 1);
    EXPECT_EQ(item.record.event_id, "evt_" + std::to_string(i));
    EXPECT_EQ(item.record.type, EventType::kConversationSaved);
    EXPECT_EQ(item.record.app_id, kApp);
    ASSERT_GE(item.record.rows.size(), 1u);
    EXPECT_EQ(item.record.rows[0].family, Family(Table::kConversations));
    EXPECT_EQ(item.record.rows[0].key, ConversationKey(kApp, "s" + std::to_string(i)));
    for (size_t r = 1; r < item.record.rows.size(); ++r) {
      EXPECT_EQ(item.record.rows[r].family, Family(Table::kInsights))
          << "the conversation, the insights that count it, and no system family";
    }
  }
  EXPECT_EQ(reader->dropped(), 0u);

  items = stalled->Next(std::chrono::milliseconds(0));
  ASSERT_EQ(items.size(), 9u);
  EXPECT_TRUE(items.back().gap);
  EXPECT_EQ(items.back().first_lost.offset, 8);
  EXPECT_EQ(stalled->delivered() + stalled->dropped(), static_cast<uint64_t>(kEvents + 1));
}

// Not a fixture test: the fork must happen while this process has no other thread (a log or a
// store opened before it would have some, and a child of a threaded parent can hang on a lock
// one of them held; it did under ASan).
TEST(AppliedFeedCrashTest, WhatASubscriberWasSentSurvivesKillMinus9AndARestart) {
  TestDir dir;
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const std::string log_dir = dir.path() + "/crash-log";
  const std::string db_dir = dir.path() + "/crash-db";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child applies with a subscriber that reports each offset it was sent, and appends
    // until it is killed.
    close(pipe_fds[0]);
    auto log = SegmentLog::Open({.dir = log_dir});
    auto store = ProjectionStore::Open(ProjectionStoreOptions(db_dir));
    if (!log.ok() || !store.ok()) _exit(2);
    AppliedFeed feed;
    auto subscription = feed.Subscribe("reporter", 100000);
    TablesProcessor tables(TableFolds().value());
    RunnerOptions options;
    options.feed = &feed;
    ProcessorRunner runner(**log, **store, tables, nullptr, nullptr, options);
    if (!runner.Start().ok()) _exit(3);
    std::thread reporter([&] {
      while (true) {
        for (const FeedItem& item : subscription->Next(std::chrono::seconds(1))) {
          if (item.gap) _exit(4);
          const std::string line = std::to_string(item.record.position.offset) + "\n";
          if (write(pipe_fds[1], line.data(), line.size()) < 0) _exit(5);
        }
      }
    });
    for (int i = 0;; ++i) {
      if (!(*log)->AppendAndWait("k", Conversation(i)).ok()) _exit(6);
    }
  }
  close(pipe_fds[1]);
  std::FILE* reported = fdopen(pipe_fds[0], "r");
  ASSERT_NE(reported, nullptr);
  std::set<int64_t> offsets;
  long long offset = 0;
  while (offsets.size() < 500 && std::fscanf(reported, "%lld", &offset) == 1) {
    offsets.insert(offset);
  }
  kill(child, SIGKILL);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  std::fclose(reported);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "the child ended by itself: " << wait_status;
  ASSERT_EQ(offsets.size(), 500u);

  auto log = SegmentLog::Open({.dir = log_dir});
  auto store = ProjectionStore::Open(ProjectionStoreOptions(db_dir));
  ASSERT_TRUE(log.ok() && store.ok());
  TablesProcessor tables(TableFolds().value());
  ProcessorRunner runner(**log, **store, tables, nullptr, nullptr);
  ASSERT_TRUE(runner.CatchUp().ok());
  ConversationsView conversations(**store);
  for (int64_t sent : offsets) {
    Result<std::optional<std::string>> row = conversations.Get(kApp, "s" + std::to_string(sent));
    ASSERT_TRUE(row.ok());
    EXPECT_TRUE(row->has_value()) << "offset " << sent << " was sent, and is gone";
  }
}

}  // namespace
}  // namespace voxbase
