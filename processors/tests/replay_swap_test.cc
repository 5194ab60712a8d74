// `voxbase replay` swaps a rebuilt store in with two renames; a crash between them must not leave
// the node without projections.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "processors/replay.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

namespace fs = std::filesystem;

void MakeStore(const std::string& path, const std::string& tag) {
  fs::create_directories(path);
  std::ofstream(path + "/TAG") << tag;
}

std::string Tag(const std::string& path) {
  std::ifstream in(path + "/TAG");
  std::string tag;
  in >> tag;
  return tag;
}

TEST(ReplaySwapTest, ACrashAfterTheFirstRenameIsFinishedOnStart) {
  TestDir dir;
  const std::string live = dir.path() + "/projections";
  MakeStore(live, "old");
  MakeStore(live + ".rebuild", "new");
  std::ofstream(live + ".rebuild/REBUILD-COMPLETE");  // the rebuild had finished
  fs::rename(live, live + ".old");                    // …and the crash came here
  ASSERT_TRUE(FinishInterruptedSwap(live).ok());
  EXPECT_EQ(Tag(live), "new");
  EXPECT_FALSE(fs::exists(live + ".old"));
  EXPECT_FALSE(fs::exists(live + "/REBUILD-COMPLETE"));
}

TEST(ReplaySwapTest, AnUnfinishedRebuildNeverReplacesTheLiveStore) {
  TestDir dir;
  const std::string live = dir.path() + "/projections";
  MakeStore(live, "old");
  MakeStore(live + ".rebuild", "half");  // no completion marker
  fs::rename(live, live + ".old");
  ASSERT_TRUE(FinishInterruptedSwap(live).ok());
  EXPECT_EQ(Tag(live), "old");
}

TEST(ReplaySwapTest, AFullSwapLeavesOnlyTheNewStore) {
  TestDir dir;
  const std::string live = dir.path() + "/projections";
  MakeStore(live, "old");
  MakeStore(live + ".rebuild", "new");
  ASSERT_TRUE(SwapInProjections(live + ".rebuild", live).ok());
  EXPECT_EQ(Tag(live), "new");
  EXPECT_FALSE(fs::exists(live + ".old"));
  EXPECT_FALSE(fs::exists(live + ".rebuild"));
  ASSERT_TRUE(FinishInterruptedSwap(live).ok());
  EXPECT_EQ(Tag(live), "new");
}

}  // namespace
}  // namespace voxbase
