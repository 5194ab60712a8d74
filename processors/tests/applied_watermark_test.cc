#include "processors/applied_watermark.h"

#include <gtest/gtest.h>

namespace voxbase {
namespace {

using Clock = AppliedWatermark::Clock;

TEST(AppliedWatermarkTest, WaitersFireInOffsetOrderAsTheProcessorAdvances) {
  AppliedWatermark watermark;
  std::vector<int> fired;
  auto far = Clock::now() + std::chrono::hours(1);
  watermark.WhenApplied({0, 5}, far, [&](bool ok) { fired.push_back(ok ? 5 : -5); });
  watermark.WhenApplied({0, 2}, far, [&](bool ok) { fired.push_back(ok ? 2 : -2); });
  watermark.Advance(0, 3);  // offsets 0..2 applied
  EXPECT_EQ(fired, std::vector<int>{2});
  watermark.Advance(0, 6);
  EXPECT_EQ(fired, (std::vector<int>{2, 5}));
  EXPECT_EQ(watermark.waiting(), 0u);
}

TEST(AppliedWatermarkTest, AlreadyAppliedFiresAtOnceAndOverdueWaitersFail) {
  AppliedWatermark watermark;
  watermark.Advance(0, 10);
  bool immediate = false;
  watermark.WhenApplied({0, 9}, Clock::now(), [&](bool ok) { immediate = ok; });
  EXPECT_TRUE(immediate);
  int result = -1;
  watermark.WhenApplied({0, 10}, Clock::now() - std::chrono::seconds(1),
                        [&](bool ok) { result = ok; });
  EXPECT_EQ(result, -1);
  watermark.ExpireOverdue(Clock::now());
  EXPECT_EQ(result, 0);
}

TEST(AppliedWatermarkTest, FailAllReleasesEveryWaiterAndLaterOnes) {
  AppliedWatermark watermark(2);
  int failed = 0;
  auto far = Clock::now() + std::chrono::hours(1);
  watermark.WhenApplied({0, 1}, far, [&](bool ok) { failed += !ok; });
  watermark.WhenApplied({1, 1}, far, [&](bool ok) { failed += !ok; });
  watermark.FailAll();
  EXPECT_EQ(failed, 2);
  watermark.WhenApplied({0, 0}, far, [&](bool ok) { failed += !ok; });
  EXPECT_EQ(failed, 3);
}

}  // namespace
}  // namespace voxbase
