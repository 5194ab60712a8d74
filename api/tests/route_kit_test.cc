// AppendThen's admission, on a real segment log with no processor behind it: the watermark moves
// only when the test says the events were applied.
#include "api/route_kit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "ingest/submitter.h"
#include "processors/applied_watermark.h"
#include "storage/segment_log.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

constexpr int64_t kStart = 1700000000000;

class AppendAdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SegmentLogOptions options;
    options.dir = dir_.path();
    auto log = SegmentLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    submitter_ = std::make_unique<Submitter>(*log_, nullptr);
    api_.submitter = submitter_.get();
    api_.watermark = &watermark_;
    api_.clock = &clock_;
    api_.apply_timeout = std::chrono::milliseconds(5000);
  }
  // Appends an event through AppendAndAnswer; its answer lands in answers_ when it comes.
  void Write(const std::string& id) {
    Event event;
    event.id = id;
    event.type = EventType::kAppCreated;
    event.app_id = "app_1";
    event.ts_ms = clock_.NowMillis();
    event.payload_json = "{}";
    AppendAndAnswer(api_, event, Respond::To([this](HttpResponse r) {
                      std::lock_guard<std::mutex> lock(mu_);
                      answers_.push_back(std::move(r));
                    }),
                    [](const Applied& applied) {
                      return JsonResponse(
                          200, "{\"offset\":" + std::to_string(applied.position.offset) + "}");
                    });
  }
  // Waits (up to 5 s) until `n` writes wait on the watermark: their appends are durable.
  void AwaitWaiting(size_t n) {
    for (int i = 0; i < 500 && watermark_.waiting() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(watermark_.waiting(), n);
  }
  int64_t LogEnd() {
    auto ends = log_->EndOffsets();
    EXPECT_TRUE(ends.ok());
    return ends.ok() ? (*ends)[0] : -1;
  }
  std::vector<HttpResponse> Answers() {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }

  TestDir dir_;
  std::unique_ptr<SegmentLog> log_;
  std::unique_ptr<Submitter> submitter_;
  ManualClock clock_{kStart};
  AppliedWatermark watermark_{clock_};
  ApiContext api_;
  std::mutex mu_;
  std::vector<HttpResponse> answers_;
};

TEST_F(AppendAdmissionTest, RefusesBeforeAppendingWhileTheProcessorIsHalfTheApplyTimeoutBehind) {
  Write("evt_1");
  AwaitWaiting(1);
  clock_.Advance(2500);  // exactly half: still admitted
  Write("evt_2");
  AwaitWaiting(2);
  EXPECT_EQ(LogEnd(), 2);

  clock_.Advance(1);
  Write("evt_3");
  std::vector<HttpResponse> answers = Answers();
  ASSERT_EQ(answers.size(), 1u) << "refused at once";
  EXPECT_EQ(answers[0].status, 503);
  EXPECT_NE(answers[0].body.find("2501 ms behind the log; nothing was appended"), std::string::npos)
      << answers[0].body;
  bool retry_after = false;
  for (const auto& [name, value] : answers[0].headers) retry_after |= name == "Retry-After";
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(LogEnd(), 2) << "the refused write is not in the log";

  watermark_.Advance(0, 2);  // the processor caught up: both waiting writes are answered
  answers = Answers();
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_EQ(answers[2].status, 200);
  Write("evt_4");
  AwaitWaiting(1);
  EXPECT_EQ(LogEnd(), 3);
}

TEST_F(AppendAdmissionTest, AWaiterThatTimedOutStillCountsUntilItsRecordIsApplied) {
  Write("evt_1");
  AwaitWaiting(1);
  clock_.Advance(5000);
  watermark_.ExpireOverdue();
  std::vector<HttpResponse> answers = Answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 503);
  EXPECT_NE(answers[0].body.find("durable at offset 0 but was not applied in time"),
            std::string::npos)
      << answers[0].body;
  Write("evt_2");
  answers = Answers();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_NE(answers[1].body.find("5000 ms behind the log"), std::string::npos) << answers[1].body;
  EXPECT_EQ(LogEnd(), 1);
}

}  // namespace
}  // namespace voxbase
