// WriteQuota on a fake clock: an app's own rate from its row, the server's otherwise, refill by
// the clock, and 0 as no limit.
#include "api/write_quota.h"

#include <gtest/gtest.h>

#include "projections/apps.h"
#include "projections/rows.h"
#include "projections/tables.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

TEST(WriteQuotaTest, AnAppsOwnRateWinsAndRefillsWithTheClock) {
  TestDir dir;
  Result<std::unique_ptr<ProjectionStore>> store =
      ProjectionStore::Open(ProjectionStoreOptions(dir.path() + "/db"));
  ASSERT_TRUE(store.ok());
  auto batch = (*store)->NewBatch();
  batch->Put(Family(Table::kApps), "app_slow",
             EncodeValue(R"({"slug":"slow","secretSalt":"00","secretHash":"11","writeRate":2,)"
                         R"("writeBurst":3})",
                         kAppRowVersion));
  ASSERT_TRUE((*store)->Write(*batch).ok());
  ManualClock clock(1700000000000);
  std::vector<std::string> refused;
  WriteQuota quota(clock, **store, WriteRate{100, 5},
                   [&](const std::string& app) { refused.push_back(app); });

  for (int i = 0; i < 3; ++i) EXPECT_EQ(quota.Take("app_slow"), 0) << i;
  EXPECT_EQ(quota.Take("app_slow"), 1);  // 2 a second: one more in half a second
  EXPECT_EQ(refused, std::vector<std::string>{"app_slow"});
  clock.Advance(499);
  EXPECT_GT(quota.Take("app_slow"), 0);
  clock.Advance(1);
  EXPECT_EQ(quota.Take("app_slow"), 0);

  // An app without a rate of its own has the server's: a burst of 5.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(quota.Take("app_other"), 0) << i;
  EXPECT_GT(quota.Take("app_other"), 0);

  WriteQuota unlimited(clock, **store, WriteRate{0, 1}, [](const std::string&) {});
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(unlimited.Take("app_other"), 0);
}

}  // namespace
}  // namespace voxbase
