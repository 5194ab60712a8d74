#include "processors/applied_watermark.h"

#include <gtest/gtest.h>

namespace voxbase {
namespace {

constexpr int64_t kStart = 1700000000000;
constexpr int64_t kFar = kStart + 3600 * 1000;

TEST(AppliedWatermarkTest, WaitersFireInOffsetOrderAsTheProcessorAdvances) {
  ManualClock clock(kStart);
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
  ManualClock clock(kStart);
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
  ManualClock clock(kStart);
  AppliedWatermark watermark(clock, 2);
  int failed = 0;
  watermark.WhenApplied({0, 1}, kFar, [&](bool ok) { failed += !ok; });
  watermark.WhenApplied({1, 1}, kFar, [&](bool ok) { failed += !ok; });
  watermark.FailAll();
  EXPECT_EQ(failed, 2);
  watermark.WhenApplied({0, 0}, kFar, [&](bool ok) { failed += !ok; });
  EXPECT_EQ(failed, 3);
}

}  // namespace
}  // namespace voxbase
