#include "storage/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

std::unique_ptr<ProjectionStore> OpenStore(const std::string& path, bool read_only = false) {
  StoreOptions options;
  options.path = path;
  options.families = {"a", "b"};
  options.read_only = read_only;
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(StoreTest, BatchIsAtomicAndReadsThroughItself) {
  TestDir dir;
  auto store = OpenStore(dir.path() + "/db");
  auto batch = store->NewBatch();
  batch->Put(0, "k1", "v1");
  std::string value;
  Result<bool> found = batch->Get(0, "k1", &value);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(*found);
  EXPECT_EQ(value, "v1");
  // Not visible in the store until written.
  ASSERT_TRUE(store->Get(0, "k1", &value).ok());
  EXPECT_FALSE(*store->Get(0, "k1", &value));
  ASSERT_TRUE(store->Write(*batch).ok());
  EXPECT_TRUE(*store->Get(0, "k1", &value));
  // Families are separate key spaces.
  EXPECT_FALSE(*store->Get(1, "k1", &value));
}

TEST(StoreTest, AnUnreadPutIsCommittedAndRolledBackLikeAnyOtherButNotIndexed) {
  TestDir dir;
  auto store = OpenStore(dir.path() + "/db");
  auto batch = store->NewBatch();
  batch->PutUnread(0, "row-1", "kept");
  batch->SetSavePoint();
  batch->PutUnread(0, "row-2", "undone");
  ASSERT_TRUE(batch->RollbackToSavePoint().ok());
  std::string value;
  // The batch does not index it (that is the saving), so a read through the batch misses it.
  EXPECT_FALSE(*batch->Get(0, "row-1", &value));
  EXPECT_EQ(batch->Count(), 1u);
  ASSERT_TRUE(store->Write(*batch).ok());
  ASSERT_TRUE(*store->Get(0, "row-1", &value));
  EXPECT_EQ(value, "kept");
  EXPECT_FALSE(*store->Get(0, "row-2", &value));
}

TEST(StoreTest, SavePointRollsBackOnlyWhatCameAfter) {
  TestDir dir;
  auto store = OpenStore(dir.path() + "/db");
  auto batch = store->NewBatch();
  batch->Put(0, "keep", "1");
  batch->SetSavePoint();
  batch->Put(0, "drop", "2");
  ASSERT_TRUE(batch->RollbackToSavePoint().ok());
  ASSERT_TRUE(store->Write(*batch).ok());
  std::string value;
  EXPECT_TRUE(*store->Get(0, "keep", &value));
  EXPECT_FALSE(*store->Get(0, "drop", &value));
}

TEST(StoreTest, IteratorSeeksInKeyOrderAndReopenKeepsData) {
  TestDir dir;
  {
    auto store = OpenStore(dir.path() + "/db");
    auto batch = store->NewBatch();
    for (const char* k : {"c", "a", "b"}) batch->Put(1, k, k);
    ASSERT_TRUE(store->Write(*batch).ok());
  }
  auto store = OpenStore(dir.path() + "/db", /*read_only=*/true);
  auto it = store->NewIterator(1);
  std::string keys;
  for (it->Seek("b"); it->Valid(); it->Next()) keys += it->key();
  EXPECT_EQ(keys, "bc");
  EXPECT_TRUE(it->status().ok());
}

// Groups as the session logs have them: 4 fixed bytes, then up to a NUL. Keys of each group are
// written in four parts, three flushed into table files of their own and one left in the memtable,
// so a group's reads cross files that hold it, files that do not, and the memtable.
TEST(StoreTest, AGroupIteratorReadsItsGroupOnlyAcrossTableFilesAndTheMemtable) {
  TestDir dir;
  StoreOptions options;
  options.path = dir.path() + "/db";
  options.families = {"log"};
  options.append_ordered.push_back({0, 4, '\0'});
  Result<std::unique_ptr<ProjectionStore>> opened = ProjectionStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ProjectionStore& store = **opened;
  using namespace std::string_literals;
  const std::vector<std::string> groups = {"app1s1\0"s, "app1s1a\0"s, "app1s2\0"s, "app2s1\0"s};
  std::vector<std::string> all;
  for (int part = 0; part < 4; ++part) {
    auto batch = store.NewBatch();
    for (size_t g = 0; g < groups.size(); ++g) {
      // The second group only in the second part: most files do not hold it.
      if (g == 1 && part != 1) continue;
      for (int i = 0; i < 3; ++i) {
        std::string key = groups[g] + std::to_string(part) + std::to_string(i);
        batch->Put(0, key, "v" + key);
        all.push_back(key);
      }
    }
    ASSERT_TRUE(store.Write(*batch).ok());
    if (part < 3) {
      ASSERT_TRUE(store.Flush().ok());
    }
  }
  std::sort(all.begin(), all.end());
  auto keys_of = [&](const std::string& group) {
    std::vector<std::string> want;
    for (const std::string& k : all) {
      if (k.starts_with(group)) want.push_back(k);
    }
    return want;
  };

  for (const std::string& group : groups) {
    SCOPED_TRACE(group);
    const std::vector<std::string> want = keys_of(group);
    auto it = store.NewGroupIterator(0, group);
    std::vector<std::string> got;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      got.emplace_back(it->key());
      EXPECT_EQ(it->value(), "v" + got.back());
    }
    EXPECT_TRUE(it->status().ok());
    EXPECT_EQ(got, want);

    // Seek inside the group, and past its end: nothing of the next group comes back.
    const auto from = std::lower_bound(want.begin(), want.end(), group + "2");
    it->Seek(group + "2");
    ASSERT_EQ(it->Valid(), from != want.end());
    if (from != want.end()) {
      EXPECT_EQ(it->key(), *from);
    }
    it->Seek(group + "9");
    EXPECT_FALSE(it->Valid());
    // SeekForPrev past the end lands on the group's last key, before its start on nothing.
    it->SeekForPrev(group + "\xFF");
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), want.back());
    it->SeekForPrev(group);
    EXPECT_FALSE(it->Valid());
  }

  // The family still reads in total order, across groups.
  auto it = store.NewIterator(0);
  std::vector<std::string> got;
  for (it->SeekToFirst(); it->Valid(); it->Next()) got.emplace_back(it->key());
  EXPECT_EQ(got, all);
  it->Seek("app1s2");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), keys_of("app1s2\0"s).front());
  // Gets go through the same filters.
  std::string value;
  Result<bool> found = store.Get(0, keys_of("app1s1a\0"s).front(), &value);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(*found);
  found = store.Get(0, "app1s1a\0"s + "99", &value);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(*found);
}

// On a family without groups, and a prefix that ends in 0xFF bytes.
TEST(StoreTest, AGroupIteratorOnAnyPrefixEndsWhereThePrefixEnds) {
  TestDir dir;
  auto store = OpenStore(dir.path() + "/db");
  auto batch = store->NewBatch();
  for (const char* k : {"ab", "ab\xFF", "ab\xFF\x01", "ab\xFF\xFF\x02", "ac", "b"}) {
    batch->Put(1, k, k);
  }
  ASSERT_TRUE(store->Write(*batch).ok());
  auto it = store->NewGroupIterator(1, "ab\xFF");
  std::vector<std::string> got;
  for (it->SeekToFirst(); it->Valid(); it->Next()) got.emplace_back(it->key());
  EXPECT_EQ(got, (std::vector<std::string>{"ab\xFF", "ab\xFF\x01", "ab\xFF\xFF\x02"}));
  it = store->NewGroupIterator(1, "\xFF\xFF");
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

}  // namespace
}  // namespace voxbase

namespace voxbase {
namespace {

TEST(StoreTest, ReadsThroughTheBatchFollowSavePointsPopsAndDeletes) {
  TestDir dir;
  auto store = OpenStore(dir.path() + "/db");
  {
    auto seed = store->NewBatch();
    seed->Put(0, "j", "stored");
    ASSERT_TRUE(store->Write(*seed).ok());
  }
  auto batch = store->NewBatch();
  std::string value;
  batch->Put(0, "k", "one");
  batch->SetSavePoint();
  batch->Put(0, "k", "two");
  batch->Delete(0, "j");
  ASSERT_TRUE(*batch->Get(0, "k", &value));
  EXPECT_EQ(value, "two");
  EXPECT_FALSE(*batch->Get(0, "j", &value));
  ASSERT_TRUE(batch->RollbackToSavePoint().ok());
  ASSERT_TRUE(*batch->Get(0, "k", &value));
  EXPECT_EQ(value, "one");
  ASSERT_TRUE(*batch->Get(0, "j", &value));
  EXPECT_EQ(value, "stored");  // read from the store again

  batch->SetSavePoint();
  batch->Put(1, "k", "other family");
  ASSERT_TRUE(batch->PopSavePoint().ok());
  EXPECT_FALSE(batch->RollbackToSavePoint().ok());  // nothing left to roll back to
  ASSERT_TRUE(store->Write(*batch).ok());
  ASSERT_TRUE(*store->Get(0, "k", &value));
  EXPECT_EQ(value, "one");
  ASSERT_TRUE(*store->Get(1, "k", &value));
  EXPECT_EQ(value, "other family");
  EXPECT_TRUE(*store->Get(0, "j", &value));
}

}  // namespace
}  // namespace voxbase

namespace voxbase {
namespace {

// A merged family whose rows are decimal integers and whose operands add to them. Counts how
// many operands each full merge saw, to show a batch combines a key's operands into one.
std::vector<size_t> merged_operand_counts;

bool AddIntegers(std::optional<std::string_view> existing,
                 const std::vector<std::string_view>& operands, std::string* out) {
  long long sum = existing ? std::stoll(std::string(*existing)) : 0;
  for (std::string_view op : operands) sum += std::stoll(std::string(op));
  merged_operand_counts.push_back(operands.size());
  *out = std::to_string(sum);
  return true;
}

std::unique_ptr<ProjectionStore> OpenMergedStore(const std::string& path) {
  StoreOptions options;
  options.path = path;
  options.families = {"plain", "sums"};
  options.merged.push_back({1, "test.addIntegers", &AddIntegers, 4});
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(StoreTest, MergedOperandsAddUpAcrossBatchesRollbacksFlushesAndReopens) {
  TestDir dir;
  std::string value;
  {
    auto store = OpenMergedStore(dir.path() + "/db");
    auto batch = store->NewBatch();
    batch->Merge(1, "k", "5");
    batch->SetSavePoint();
    batch->Merge(1, "k", "100");  // rolled back: never counted
    ASSERT_TRUE(batch->RollbackToSavePoint().ok());
    batch->SetSavePoint();
    batch->Merge(1, "k", "2");
    batch->Merge(1, "other", "7");
    ASSERT_TRUE(batch->PopSavePoint().ok());
    merged_operand_counts.clear();
    ASSERT_TRUE(store->Write(*batch).ok());
    // The batch handed RocksDB one operand per key: 5 and 2 were combined before the write.
    ASSERT_EQ(merged_operand_counts.size(), 1u);
    EXPECT_EQ(merged_operand_counts[0], 2u);
    ASSERT_TRUE(*store->Get(1, "k", &value));
    EXPECT_EQ(value, "7");
    // Many batches: the memtable folds a key's operands every 4, and reads see the sum.
    for (int i = 0; i < 50; ++i) {
      auto more = store->NewBatch();
      more->Merge(1, "k", i % 2 ? "-1" : "3");
      ASSERT_TRUE(store->Write(*more).ok());
    }
    ASSERT_TRUE(*store->Get(1, "k", &value));
    EXPECT_EQ(value, std::to_string(7 + 25 * 3 - 25));
    ASSERT_TRUE(store->Flush().ok());
    auto after_flush = store->NewBatch();
    after_flush->Merge(1, "k", "1");
    ASSERT_TRUE(store->Write(*after_flush).ok());
    auto it = store->NewIterator(1);
    it->Seek("k");
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->value(), "58");  // an iterator merges too
  }
  auto reopened = OpenMergedStore(dir.path() + "/db");
  ASSERT_TRUE(*reopened->Get(1, "k", &value));
  EXPECT_EQ(value, "58");
  ASSERT_TRUE(*reopened->Get(1, "other", &value));
  EXPECT_EQ(value, "7");
  EXPECT_FALSE(*reopened->Get(0, "k", &value));  // the plain family has none of it
}

}  // namespace
}  // namespace voxbase
