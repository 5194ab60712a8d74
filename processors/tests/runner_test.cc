// The runner's exactly-once contract (DESIGN.md invariant 3): each event's effect and the new log
// position are committed together, a restarted runner resumes after the last committed event, and
// redelivered records change nothing.
#include "processors/runner.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <thread>

#include "projections/tables.h"
#include "storage/segment_log.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

// Counts applications in the store, through the batch: re-applying an event would show.
class CountingProcessor final : public Processor {
 public:
  explicit CountingProcessor(int64_t fail_at = -1) : fail_at_(fail_at) {}
  std::string_view name() const override { return "counting"; }
  Status Apply(const DecodedEvent&, const LogPosition& position, StoreBatch& batch) override {
    if (position.offset == fail_at_) return Internal("injected failure");
    std::string value;
    Result<bool> found = batch.Get(Family(Table::kInsights), "count", &value);
    if (!found.ok()) return found.status();
    int64_t count = *found ? std::stoll(value) : 0;
    batch.Put(Family(Table::kInsights), "count", std::to_string(count + 1));
    return Status::Ok();
  }

 private:
  int64_t fail_at_;
};

// An in-memory log whose reader can be told to deliver some records again, as a Kafka consumer
// may after a rebalance.
class RedeliveringLog final : public EventLog {
 public:
  explicit RedeliveringLog(std::vector<std::string> records) : records_(std::move(records)) {}
  void Append(std::string_view, std::string, AppendCallback done) override {
    done(Internal("read-only"));
  }
  Result<std::vector<int64_t>> EndOffsets() const override {
    return std::vector<int64_t>{static_cast<int64_t>(records_.size())};
  }
  Result<std::unique_ptr<LogReader>> NewReader(std::vector<int64_t> start) override {
    return std::unique_ptr<LogReader>(new Reader(this, start.empty() ? 0 : start[0]));
  }
  void Close() override {}

 private:
  class Reader final : public LogReader {
   public:
    Reader(RedeliveringLog* log, int64_t next) : log_(log), next_(next) {}
    Result<std::vector<LogRecord>> Poll(size_t max, std::chrono::milliseconds) override {
      std::vector<LogRecord> out;
      int64_t end = static_cast<int64_t>(log_->records_.size());
      for (; next_ < end && out.size() < max; ++next_) {
        out.push_back({{0, next_}, log_->records_[static_cast<size_t>(next_)]});
      }
      if (!rewound_ && next_ > 3) {  // deliver offsets 2.. again once
        rewound_ = true;
        next_ = 2;
      }
      return out;
    }

   private:
    RedeliveringLog* log_;
    int64_t next_;
    bool rewound_ = false;
  };
  std::vector<std::string> records_;
};

std::string SampleRecord(int i) {
  return EncodeEvent(Event{"evt_" + std::to_string(i), EventType::kMessagesAdded,
                           "app_0123456789abcdef", 1000 + i, R"({"messages":[]})", std::nullopt});
}

std::unique_ptr<ProjectionStore> OpenStore(const std::string& path) {
  StoreOptions options = ProjectionStoreOptions(path);
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(*store);
}

int64_t Count(ProjectionStore& store) {
  std::string value;
  Result<bool> found = store.Get(Family(Table::kInsights), "count", &value);
  return found.ok() && *found ? std::stoll(value) : 0;
}

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open({.dir = dir_.path() + "/log"});
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(log_->AppendAndWait("k", SampleRecord(i)).ok());
  }
  TestDir dir_;
  std::unique_ptr<SegmentLog> log_;
};

TEST_F(RunnerTest, RestartResumesAfterTheLastCommittedEventWithoutReapplying) {
  {
    auto store = OpenStore(dir_.path() + "/db");
    CountingProcessor counting;
    ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr);
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(Count(*store), 50);
    EXPECT_EQ(runner.positions(), std::vector<int64_t>{50});
  }
  for (int i = 50; i < 60; ++i) ASSERT_TRUE(log_->AppendAndWait("k", SampleRecord(i)).ok());
  auto store = OpenStore(dir_.path() + "/db");
  CountingProcessor counting;
  ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(Count(*store), 60);
}

RunnerOptions Skipping() {
  RunnerOptions options;
  options.skip_duplicate_events = true;  // what a Kafka log turns on
  return options;
}

// Issue 29: a producer that writes one batch twice puts the same events at new offsets. Each
// changes the projections once, after a restart and in a replay too, while a processor that is
// applying a record for the first time (same event, same position) is not held back.
TEST_F(RunnerTest, AnEventTheLogHoldsTwiceIsAppliedOnceWhateverItsOffset) {
  for (int i = 40; i < 50; ++i) ASSERT_TRUE(log_->AppendAndWait("k", SampleRecord(i)).ok());
  {
    // The embedded log never holds an event twice by itself: without the option it is applied
    // as often as it is there, as before.
    auto store = OpenStore(dir_.path() + "/plain");
    CountingProcessor counting;
    ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr);
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(Count(*store), 60);
  }
  {
    auto store = OpenStore(dir_.path() + "/db");
    CountingProcessor counting;
    ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr, Skipping());
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(Count(*store), 50) << "offsets 50..59 repeat events 40..49";
    EXPECT_EQ(runner.positions(), std::vector<int64_t>{60});
  }
  for (int i = 45; i < 47; ++i) ASSERT_TRUE(log_->AppendAndWait("k", SampleRecord(i)).ok());
  {
    auto store = OpenStore(dir_.path() + "/db");  // a restart remembers what was applied
    CountingProcessor counting;
    ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr, Skipping());
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(Count(*store), 50);
  }
  auto fresh = OpenStore(dir_.path() + "/replayed");  // a replay decides the same
  CountingProcessor counting;
  ProcessorRunner runner(*log_, *fresh, counting, nullptr, nullptr, Skipping());
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(Count(*fresh), 50);
}

TEST_F(RunnerTest, AppliedIdsAreForgottenAnHourOfEventTimeBehindTheNewest) {
  auto event = [](const std::string& id, int64_t ts) {
    return EncodeEvent(Event{id, EventType::kMessagesAdded, "app_0123456789abcdef", ts,
                             R"({"messages":[]})", std::nullopt});
  };
  const int64_t hour = 60 * 60 * 1000;
  ASSERT_TRUE(log_->AppendAndWait("k", event("evt_old", 10 * hour)).ok());
  ASSERT_TRUE(log_->AppendAndWait("k", event("evt_old", 10 * hour)).ok());  // within the hour
  ASSERT_TRUE(log_->AppendAndWait("k", event("evt_new", 12 * hour)).ok());  // two hours later
  ASSERT_TRUE(log_->AppendAndWait("k", event("evt_old", 10 * hour)).ok());  // forgotten by now
  auto store = OpenStore(dir_.path() + "/db");
  CountingProcessor counting;
  ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr, Skipping());
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(Count(*store), 50 + 3);
  auto it = store->NewIterator(Family(Table::kAppliedEvents));
  size_t entries = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++entries;
  EXPECT_LE(entries, 3u) << "the 50 sample events (time 1 s) and evt_old were dropped";
}

TEST_F(RunnerTest, AFailingEventStopsTheRunnerAfterCommittingWhatCameBefore) {
  auto store = OpenStore(dir_.path() + "/db");
  {
    CountingProcessor failing(/*fail_at=*/17);
    ProcessorRunner runner(*log_, *store, failing, nullptr, nullptr);
    Status status = runner.CatchUp();
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("offset 17"), std::string::npos) << status.ToString();
    EXPECT_EQ(Count(*store), 17);
    EXPECT_EQ(runner.positions(), std::vector<int64_t>{17});
  }
  CountingProcessor healthy;
  ProcessorRunner runner(*log_, *store, healthy, nullptr, nullptr);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(Count(*store), 50);
}

TEST_F(RunnerTest, AnUnknownEventTypeStallsTheThreadedRunnerAndFailsWaiters) {
  ASSERT_TRUE(log_->AppendAndWait("k", R"({"id":"evt_x","type":"from.the.future","version":1,)"
                                       R"("appId":"app_0123456789abcdef","ts":1,"payload":{}})")
                  .ok());
  auto store = OpenStore(dir_.path() + "/db");
  CountingProcessor counting;
  AppliedWatermark watermark;
  ProcessorRunner runner(*log_, *store, counting, &watermark, nullptr);
  ASSERT_TRUE(runner.Start().ok());
  std::promise<bool> waited;
  watermark.WhenApplied({0, 50}, SystemClock::Instance().MonotonicMillis() + 10000,
                        [&](bool applied) { waited.set_value(applied); });
  EXPECT_FALSE(waited.get_future().get());
  Status stall = runner.stall();
  ASSERT_FALSE(stall.ok());
  EXPECT_NE(stall.message().find("from.the.future"), std::string::npos) << stall.ToString();
  runner.Stop();
  EXPECT_EQ(Count(*store), 50);  // everything before it was applied, nothing skipped past it
  EXPECT_EQ(runner.positions(), std::vector<int64_t>{50});
}

TEST_F(RunnerTest, APoisonRecordIsDeadLetteredAndTheRunnerGoesOn) {
  ASSERT_TRUE(log_->AppendAndWait("k", "\x01garbage from another producer").ok());  // offset 50
  ASSERT_TRUE(log_->AppendAndWait("k", SampleRecord(51)).ok());
  auto store = OpenStore(dir_.path() + "/db");
  CountingProcessor counting;
  ProcessorRunner runner(*log_, *store, counting, nullptr, nullptr);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(Count(*store), 51);  // everything but the poison record
  EXPECT_EQ(runner.positions(), std::vector<int64_t>{52});
  std::string letter;
  ASSERT_TRUE(*store->Get(Family(Table::kDeadLetters), DeadLetterKey(0, 50), &letter));
  EXPECT_NE(letter.find("not valid JSON"), std::string::npos) << letter;
  EXPECT_NE(letter.find(R"("offset":50)"), std::string::npos) << letter;
}

// CatchUp with the read-ahead (a rebuild's) and without it: the same records applied in the same
// batches, the same stop at a failing event, the same dead letter, and a later runner goes on
// from where either stopped.
TEST_F(RunnerTest, ReadingAheadStopsAtTheSameFailureAndDeadLettersTheSamePoisonAsWithout) {
  ASSERT_TRUE(log_->AppendAndWait("k", "\x01garbage from another producer").ok());  // offset 50
  for (int i = 51; i < 61; ++i) ASSERT_TRUE(log_->AppendAndWait("k", SampleRecord(i)).ok());
  for (bool ahead : {false, true}) {
    SCOPED_TRACE(ahead ? "reading ahead" : "not reading ahead");
    auto store = OpenStore(dir_.path() + (ahead ? "/ahead" : "/plain"));
    const RunnerOptions options{.max_batch_records = 4, .read_ahead = ahead};
    {
      CountingProcessor failing(/*fail_at=*/53);
      ProcessorRunner runner(*log_, *store, failing, nullptr, nullptr, options);
      Status status = runner.CatchUp();
      ASSERT_FALSE(status.ok());
      EXPECT_NE(status.message().find("offset 53"), std::string::npos) << status.ToString();
      EXPECT_EQ(Count(*store), 52);  // 0..49, 51 and 52; 50 is a dead letter
      EXPECT_EQ(runner.positions(), std::vector<int64_t>{53});
    }
    std::string letter;
    EXPECT_TRUE(*store->Get(Family(Table::kDeadLetters), DeadLetterKey(0, 50), &letter));
    CountingProcessor healthy;
    ProcessorRunner runner(*log_, *store, healthy, nullptr, nullptr, options);
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(Count(*store), 60);
    EXPECT_EQ(runner.positions(), std::vector<int64_t>{61});
  }
}

// A log that cannot tell its end while `blind` (a Kafka broker that does not answer).
class BlindLog final : public EventLog {
 public:
  explicit BlindLog(EventLog& inner) : inner_(inner) {}
  void Append(std::string_view key, std::string record, AppendCallback done) override {
    inner_.Append(key, std::move(record), std::move(done));
  }
  Result<std::vector<int64_t>> EndOffsets() const override {
    ++asked;
    if (blind) return Status(StatusCode::kUnavailable, "no broker answers");
    return inner_.EndOffsets();
  }
  Result<std::unique_ptr<LogReader>> NewReader(std::vector<int64_t> start) override {
    return inner_.NewReader(std::move(start));
  }
  void Close() override {}
  std::atomic<bool> blind{true};
  mutable std::atomic<int> asked{0};  // EndOffsets calls

 private:
  EventLog& inner_;
};

// Waits (at most 10 s) until `done`; for what another thread does without a deadline of its own.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

TEST_F(RunnerTest, AnUnknownLogEndIsNeverCaughtUp) {
  auto store = OpenStore(dir_.path() + "/db");
  BlindLog log(*log_);
  CountingProcessor counting;
  {
    ProcessorRunner replay(log, *store, counting, nullptr, nullptr);
    EXPECT_EQ(replay.CatchUp().code(), StatusCode::kUnavailable) << "a replay needs the end";
  }
  ManualClock clock(0);
  RunnerOptions options;
  options.clock = &clock;
  ProcessorRunner runner(log, *store, counting, nullptr, nullptr, options);
  ASSERT_TRUE(runner.Start().ok());
  // Everything the log holds gets applied, but without the end the runner cannot claim to have
  // caught up (it used to take a failed query for an empty log): not after it asked again, twice.
  ASSERT_TRUE(Eventually([&] { return Count(*store) == 50; }));
  for (int round = 0; round < 2; ++round) {
    const int asked = log.asked;
    clock.Advance(1001);
    ASSERT_TRUE(Eventually([&] { return log.asked > asked; })) << "the runner never asked again";
    EXPECT_FALSE(runner.caught_up());
  }
  log.blind = false;
  clock.Advance(1001);
  EXPECT_TRUE(Eventually([&] { return runner.caught_up(); }));
  runner.Stop();
}

TEST(RunnerRedeliveryTest, RedeliveredRecordsChangeNothingWithOrWithoutReadingAhead) {
  std::vector<std::string> records;
  for (int i = 0; i < 9; ++i) records.push_back(SampleRecord(i));
  for (bool ahead : {false, true}) {
    SCOPED_TRACE(ahead ? "reading ahead" : "not reading ahead");
    TestDir dir;
    RedeliveringLog log(records);
    auto store = OpenStore(dir.path() + "/db");
    CountingProcessor counting;
    ProcessorRunner runner(log, *store, counting, nullptr, nullptr,
                           {.max_batch_records = 4, .read_ahead = ahead});
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(Count(*store), 9);
    EXPECT_EQ(runner.positions(), std::vector<int64_t>{9});
  }
}

TEST(PositionsTest, EncodeDecodeRoundTrips) {
  std::vector<int64_t> positions = {0, 5, 1ll << 40};
  Result<std::vector<int64_t>> decoded = DecodePositions(EncodePositions(positions));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, positions);
  EXPECT_FALSE(DecodePositions("\x01xyz").ok());
}

}  // namespace
}  // namespace voxbase
