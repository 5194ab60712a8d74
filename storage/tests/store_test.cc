#include "storage/store.h"

#include <gtest/gtest.h>

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
