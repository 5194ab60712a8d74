#include "processors/applied_watermark.h"

#include <gtest/gtest.h>

namespace voxbase {
namespace {

// Deadlines are on the monotonic clock, which a ManualClock starts at 0 whatever its wall time.
constexpr int64_t kWall = 1700000000000;
constexpr int64_t kStart = 0;
constexpr int64_t kFar = kStart + 3600 * 1000;

TEST(AppliedWatermarkTest, WaitersFireInOffsetOrderAsTheProcessorAdvances) {
  ManualClock clock(kWall);
  AppliedWatermark watermark(clock);
  std::vector<int> fired;
  watermark.WhenApplied({0, 5}, kFar, [&](bool ok) { fired.push_back(ok ? 5 : -5); });
  watermark.WhenApplied({0, 2}, kFar, [&](bool ok) { fired.push_back(ok ? 2 : -2); });
  watermark.Advance(0, 3);  // offsets 0..2 applied
  EXPECT_EQ(fired, std::vector<int>{2});
  watermark.Advance(0, 6);
  EXPECT_EQ(fired, (std::vector<int>{2, 5}));
  EXPECT_EQ(watermark.waiting(), 0u);
}

TEST(AppliedWatermarkTest,
     AlreadyAppliedFiresAtOnceAndWaitersFailOnlyOnceTheClockPassesTheDeadline) {
  ManualClock clock(kWall);
  AppliedWatermark watermark(clock);
  watermark.Advance(0, 10);
  bool immediate = false;
  watermark.WhenApplied({0, 9}, kStart, [&](bool ok) { immediate = ok; });
  EXPECT_TRUE(immediate);
  int result = -1;
  watermark.WhenApplied({0, 10}, kStart + 5000, [&](bool ok) { result = ok; });
  watermark.ExpireOverdue();
  EXPECT_EQ(result, -1) << "failed before its deadline";
  clock.Advance(4999);
  watermark.ExpireOverdue();
  EXPECT_EQ(result, -1);
  clock.Advance(1);
  watermark.ExpireOverdue();
  EXPECT_EQ(result, 0);
}

TEST(AppliedWatermarkTest, FailAllReleasesEveryWaiterAndLaterOnes) {
  ManualClock clock(kWall);
  AppliedWatermark watermark(clock, 2);
  int failed = 0;
  watermark.WhenApplied({0, 1}, kFar, [&](bool ok) { failed += !ok; });
  watermark.WhenApplied({1, 1}, kFar, [&](bool ok) { failed += !ok; });
  watermark.FailAll();
  EXPECT_EQ(failed, 2);
  watermark.WhenApplied({0, 0}, kFar, [&](bool ok) { failed += !ok; });
  EXPECT_EQ(failed, 3);
}

TEST(AppliedWatermarkTest, BehindIsTheAgeOfTheOldestUnappliedWaitedOnRecordEvenPastItsDeadline) {
  ManualClock clock(kWall);
  AppliedWatermark watermark(clock, 2);
  EXPECT_EQ(watermark.BehindMs(), 0);
  auto ignore = [](bool) {};
  watermark.WhenApplied({0, 0}, kStart + 100, ignore);
  clock.Advance(40);
  watermark.WhenApplied({1, 0}, kFar, ignore);
  watermark.WhenApplied({0, 1}, kFar, ignore);
  watermark.WhenApplied({0, 2}, kFar, ignore);  // the same millisecond as offset 1
  clock.Advance(200);
  EXPECT_EQ(watermark.BehindMs(), 240);
  watermark.ExpireOverdue();  // offset 0's waiter gives up; the record is still not applied
  EXPECT_EQ(watermark.waiting(), 3u);
  EXPECT_EQ(watermark.BehindMs(), 240);
  watermark.Advance(0, 2);  // offsets 0 and 1: left are 0/2 and 1/0, both registered at +40 ms
  EXPECT_EQ(watermark.BehindMs(), 200);
  watermark.Advance(1, 1);
  EXPECT_EQ(watermark.BehindMs(), 200) << "offset 2 of partition 0 still waits";
  watermark.Advance(0, 3);
  EXPECT_EQ(watermark.BehindMs(), 0);
  clock.Advance(1000);
  EXPECT_EQ(watermark.BehindMs(), 0) << "nothing waits";
}

TEST(AppliedWatermarkTest, RecordsAppliedBeforeTheyAreWaitedOnAreNotBehind) {
  ManualClock clock(kWall);
  AppliedWatermark watermark(clock);
  watermark.Advance(0, 5);
  watermark.WhenApplied({0, 4}, kFar, [](bool) {});
  clock.Advance(1000);
  EXPECT_EQ(watermark.BehindMs(), 0);
  watermark.WhenApplied({0, 5}, kFar, [](bool) {});
  watermark.FailAll();  // the processor stopped: its own gate answers from now on
  clock.Advance(1000);
  EXPECT_EQ(watermark.BehindMs(), 0);
}

}  // namespace
}  // namespace voxbase
