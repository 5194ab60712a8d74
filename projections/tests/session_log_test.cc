// The session log's runs, late items and pages, through a real store: whatever order items
// arrive in, every page size lists each session's items once, in (time, offset, index) order.
#include "projections/session_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

constexpr std::string_view kApp = "app_0123456789abcdef";

class SessionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = dir_.path() + "/db";
    options.families = {"log"};
    Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    batch_ = store_->NewBatch();
  }

  // One event's items for one session: (time, json) in array order.
  void Append(std::string_view session, int64_t offset,
              const std::vector<std::pair<int64_t, std::string>>& items) {
    std::vector<SessionLogItem> log_items;
    uint32_t index = 0;
    for (const auto& [time, json] : items) log_items.push_back({time, index++, json});
    ASSERT_TRUE(AppendSessionLog(*batch_, 0, kApp, session, offset, log_items).ok());
  }
  void Commit() {
    ASSERT_TRUE(store_->Write(*batch_).ok());
    batch_ = store_->NewBatch();
  }

  // Every row of the session, following cursors, `limit` at a time.
  std::vector<std::string> ListAll(std::string_view session, size_t limit) {
    std::vector<std::string> rows;
    std::string cursor;
    for (int pages = 0; pages < 10000; ++pages) {
      Result<Page> page = SessionLogView(*store_, 0).List(kApp, session, limit, cursor);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return rows;
      EXPECT_LE(page->rows.size(), limit);
      rows.insert(rows.end(), page->rows.begin(), page->rows.end());
      if (page->next_cursor.empty()) return rows;
      EXPECT_EQ(page->rows.size(), limit) << "a page short of its limit must be the last";
      cursor = page->next_cursor;
    }
    ADD_FAILURE() << "cursors never ended";
    return rows;
  }

  size_t RowCount() {
    size_t n = 0;
    auto it = store_->NewIterator(0);
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }

  TestDir dir_;
  std::unique_ptr<ProjectionStore> store_;
  std::unique_ptr<StoreBatch> batch_;
};

TEST_F(SessionLogTest, OneEventsItemsForASessionAreOneRowAndListInTimeOrder) {
  std::vector<std::pair<int64_t, std::string>> items;
  for (int i = 0; i < 100; ++i) items.push_back({1000 + (i * 37) % 100, std::to_string(i)});
  Append("s", 7, items);
  Commit();
  EXPECT_EQ(RowCount(), 2u) << "one run and the session's head";
  std::vector<std::string> rows = ListAll("s", 1000);
  ASSERT_EQ(rows.size(), 100u);
  for (size_t i = 1; i < rows.size(); ++i) {
    int a = std::stoi(rows[i - 1]), b = std::stoi(rows[i]);
    EXPECT_LT(1000 + (a * 37) % 100, 1000 + (b * 37) % 100) << i;
  }
}

TEST_F(SessionLogTest, AnEventsOnlyItemForASessionIsOneRowAloneAndMovesNoHead) {
  Append("s", 1, {{30, "a30"}});
  Append("s", 2, {{10, "b10"}, {20, "b20"}});  // a run: the single item above is not its head
  Append("s", 3, {{15, "c15"}});
  Commit();
  EXPECT_EQ(RowCount(), 4u) << "two items alone, one run, one head";
  const std::vector<std::string> want = {"b10", "c15", "b20", "a30"};
  for (size_t limit : {1, 2, 3, 4, 5}) EXPECT_EQ(ListAll("s", limit), want) << limit;
}

TEST_F(SessionLogTest, AnItemOlderThanTheHeadIsMergedIntoItsPlace) {
  Append("s", 1, {{10, "a10"}, {30, "a30"}, {50, "a50"}});
  Commit();
  Append("s", 2, {{20, "b20"}, {60, "b60"}, {40, "b40"}, {5, "b5"}});  // same batch as the next
  Append("s", 3, {{45, "c45"}});
  Commit();
  const std::vector<std::string> want = {"b5", "a10", "b20", "a30", "b40", "c45", "a50", "b60"};
  for (size_t limit : {1, 2, 3, 5, 100}) EXPECT_EQ(ListAll("s", limit), want) << limit;
}

TEST_F(SessionLogTest, EqualTimesOrderByOffsetThenIndex) {
  Append("s", 4, {{100, "d0"}, {100, "d1"}});
  Append("s", 2, {{100, "b0"}});  // an earlier offset arriving later (another partition's order)
  Append("s", 9, {{100, "i0"}});
  Commit();
  EXPECT_EQ(ListAll("s", 1), (std::vector<std::string>{"b0", "d0", "d1", "i0"}));
}

TEST_F(SessionLogTest, AnyArrivalOrderListsLikeASortAtEveryPageSize) {
  std::mt19937 rng(12345);
  struct Want {
    int64_t time, offset;
    uint32_t index;
    std::string json;
  };
  std::map<std::string, std::vector<Want>> want;
  const std::vector<std::string> sessions = {"s", "s1", "t", "a"};
  int64_t offset = 0;
  for (int event = 0; event < 300; ++event, ++offset) {
    const std::string& session = sessions[rng() % sessions.size()];
    std::vector<std::pair<int64_t, std::string>> items;
    // Mostly moving forward, sometimes far back, sometimes equal times.
    const size_t n = 1 + rng() % 12;
    for (size_t i = 0; i < n; ++i) {
      int64_t time =
          rng() % 5 == 0 ? static_cast<int64_t>(rng() % 1000) : 1000 + offset * 10 + rng() % 30;
      std::string json = session + "." + std::to_string(offset) + "." + std::to_string(i);
      items.push_back({time, json});
      want[session].push_back({time, offset, static_cast<uint32_t>(i), json});
    }
    Append(session, offset, items);
    if (rng() % 4 == 0) Commit();
  }
  Commit();
  for (auto& [session, rows] : want) {
    std::sort(rows.begin(), rows.end(), [](const Want& a, const Want& b) {
      return std::tie(a.time, a.offset, a.index) < std::tie(b.time, b.offset, b.index);
    });
    std::vector<std::string> sorted;
    for (const Want& w : rows) sorted.push_back(w.json);
    for (size_t limit : {1, 2, 3, 7, 50, 1000}) {
      EXPECT_EQ(ListAll(session, limit), sorted) << session << " limit " << limit;
    }
  }
  EXPECT_TRUE(ListAll("nobody", 10).empty());
}

TEST_F(SessionLogTest, RowsWrittenBeforeRunsAreCorruptionNotAWrongPage) {
  // What the table held before runs: a version-1 row per item, under the item's place.
  std::string key = SessionLogPrefix(kApp, "s");
  AppendBigEndian64(&key, 50);
  AppendBigEndian64(&key, 1);
  AppendBigEndian32(&key, 0);
  batch_->Put(0, key, EncodeValue("old", kSessionLogItemVersion));
  Commit();
  Result<Page> page = SessionLogView(*store_, 0).List(kApp, "s", 10, "");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kCorruption);
}

TEST_F(SessionLogTest, ACursorOfAnotherSessionOrShapeIsRefused) {
  Append("s", 1, {{10, "a"}, {20, "b"}});
  Append("t", 2, {{10, "x"}, {20, "y"}});
  Commit();
  Result<Page> first = SessionLogView(*store_, 0).List(kApp, "s", 1, "");
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_cursor.empty());
  EXPECT_FALSE(SessionLogView(*store_, 0).List(kApp, "t", 1, first->next_cursor).ok());
  EXPECT_FALSE(SessionLogView(*store_, 0).List(kApp, "s", 1, "zz").ok());
  EXPECT_FALSE(SessionLogView(*store_, 0).List(kApp, "s", 1, first->next_cursor + "00").ok());
  Result<Page> second = SessionLogView(*store_, 0).List(kApp, "s", 1, first->next_cursor);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->rows, (std::vector<std::string>{"b"}));
  EXPECT_TRUE(second->next_cursor.empty());
}

TEST_F(SessionLogTest, ADamagedRunIsCorruptionNotAShortPage) {
  Append("s", 1, {{10, "a"}, {20, "b"}});
  Commit();
  auto it = store_->NewIterator(0);
  it->Seek(SessionLogPrefix(kApp, "s"));
  ASSERT_TRUE(it->Valid());
  std::string key(it->key()), value(it->value());
  it.reset();
  batch_->Put(0, key, value.substr(0, value.size() - 3));
  Commit();
  Result<Page> page = SessionLogView(*store_, 0).List(kApp, "s", 10, "");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kCorruption);
}

TEST_F(SessionLogTest, ATimeThatWouldReadAsAMarkerIsRefusedAndNothingIsWritten) {
  for (int64_t time : {int64_t{-1}, static_cast<int64_t>(0xFEull << 56)}) {
    std::vector<SessionLogItem> items{{5, 0, "a"}, {time, 1, "b"}};
    Status status = AppendSessionLog(*batch_, 0, kApp, "s", 1, items);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << time;
  }
  EXPECT_EQ(batch_->Count(), 0u);
}

}  // namespace
}  // namespace voxbase
