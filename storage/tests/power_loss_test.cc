// Invariant 5's power-loss half: what a power cut keeps of the log under each --fsync policy.
//
// Like LevelDB's fault-injection Env, the file calls under the segment log (LogFileOps) record how
// much of each segment was durable at its last fdatasync, and which writes came after it. A power
// cut at time T keeps exactly what was synced and undoes the rest: the test notes the state at T,
// closes the log (which may sync more later, as a real process would not), then cuts every
// segment back to its synced size and puts zeros back where unsynced writes went (inside
// preallocated space the disk held synced zeros there; each byte is written once), and reopens.
// Under `always` every acknowledged record survives; under `interval`, records older than the
// interval survive; under `none`, acknowledged records are lost, as the README says.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "schemas/clock.h"
#include "storage/segment_log.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

struct Range {
  off_t offset;
  size_t size;
  uint64_t seq;  // order of the write among all writes
};
struct FileState {
  off_t synced = 0;             // bytes durable at its last fdatasync
  std::vector<Range> unsynced;  // writes since
};
std::mutex g_mu;
std::map<std::string, FileState> g_files;  // by segment path
uint64_t g_writes = 0;                     // writes so far

std::string PathOf(int fd) {
  char link[64], path[4096];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(link, path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

ssize_t TrackingPwrite(int fd, const void* data, size_t size, off_t offset) {
  ssize_t n = ::pwrite(fd, data, size, offset);
  if (n > 0) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_files[PathOf(fd)].unsynced.push_back({offset, static_cast<size_t>(n), ++g_writes});
  }
  return n;
}

int TrackingSync(int fd) {
  const std::string path = PathOf(fd);
  uint64_t covered = 0;  // writes made before the sync began are the ones it makes durable
  {
    std::lock_guard<std::mutex> lock(g_mu);
    covered = g_writes;
  }
  int rc = ::fdatasync(fd);
  struct stat st {};
  if (rc == 0 && ::fstat(fd, &st) == 0) {
    std::lock_guard<std::mutex> lock(g_mu);
    FileState& file = g_files[path];
    file.synced = st.st_size;
    std::erase_if(file.unsynced, [&](const Range& r) { return r.seq <= covered; });
  }
  return rc;
}

// Puts every segment in `dir` back to what was durable in `files`.
void PowerCut(const std::string& dir, const std::map<std::string, FileState>& files) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string path = e.path().string();
    if (!path.ends_with(".log")) continue;
    auto it = files.find(std::filesystem::canonical(path).string());
    const FileState state = it == files.end() ? FileState{} : it->second;
    ASSERT_EQ(::truncate(path.c_str(), state.synced), 0) << path;
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0) << path;
    for (const Range& r : state.unsynced) {
      if (r.offset >= state.synced) continue;
      size_t n = std::min<size_t>(r.size, static_cast<size_t>(state.synced - r.offset));
      std::vector<char> zeros(n, 0);
      ASSERT_EQ(::pwrite(fd, zeros.data(), n, r.offset), static_cast<ssize_t>(n)) << path;
    }
    ::close(fd);
  }
}

size_t Survivors(const std::string& dir) {
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open({.dir = dir});
  EXPECT_TRUE(log.ok()) << "a power cut must leave a log that opens: " << log.status().ToString();
  if (!log.ok()) return 0;
  return static_cast<size_t>((*log)->EndOffsets().value()[0]);
}

// Appends `n` records one at a time, each acknowledged before the next.
void AppendAcked(SegmentLog& log, int n) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(log.AppendAndWait("k", std::string(100, 'r')).ok());
}

class PowerLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::lock_guard<std::mutex> lock(g_mu);
    g_files.clear();
    ops_.pwrite = &TrackingPwrite;
    ops_.fdatasync = &TrackingSync;
  }
  SegmentLogOptions Options(FsyncPolicy policy) {
    SegmentLogOptions o{.dir = dir_.path(), .fsync = policy};
    o.fsync_interval = std::chrono::milliseconds(50);
    o.segment_bytes = 4096;  // several segments, so rolls are covered too
    o.file_ops = &ops_;
    return o;
  }
  std::map<std::string, FileState> SyncedNow() {
    std::lock_guard<std::mutex> lock(g_mu);
    return g_files;
  }
  TestDir dir_;
  LogFileOps ops_;
};

TEST_F(PowerLossTest, AlwaysKeepsEveryAcknowledgedRecord) {
  std::map<std::string, FileState> at_cut;
  {
    auto log = std::move(*SegmentLog::Open(Options(FsyncPolicy::kAlways)));
    AppendAcked(*log, 200);
    at_cut = SyncedNow();
  }
  ASSERT_NO_FATAL_FAILURE(PowerCut(dir_.path(), at_cut));
  EXPECT_EQ(Survivors(dir_.path()), 200u);
}

TEST_F(PowerLossTest, IntervalKeepsWhatIsOlderThanTheInterval) {
  std::map<std::string, FileState> at_cut;
  ManualClock clock(0);
  {
    SegmentLogOptions options = Options(FsyncPolicy::kInterval);
    options.clock = &clock;
    auto log = std::move(*SegmentLog::Open(options));
    AppendAcked(*log, 100);
    clock.Advance(51);  // one interval: the timer syncs what is written
    bool synced = false;
    for (int i = 0; i < 2000 && !synced; ++i) {
      synced = true;
      for (const auto& [path, file] : SyncedNow()) synced = synced && file.unsynced.empty();
      if (!synced) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(synced) << "the interval passed and nothing was synced";
    AppendAcked(*log, 100);  // no time passes: only segment rolls sync these
    at_cut = SyncedNow();
  }
  ASSERT_NO_FATAL_FAILURE(PowerCut(dir_.path(), at_cut));
  size_t kept = Survivors(dir_.path());
  EXPECT_GE(kept, 100u) << "records older than the interval were synced";
  EXPECT_LT(kept, 200u) << "the open segment's records newer than the interval were synced";
}

TEST_F(PowerLossTest, NoneLosesAcknowledgedRecords) {
  std::map<std::string, FileState> at_cut;
  {
    auto log = std::move(*SegmentLog::Open(Options(FsyncPolicy::kNone)));
    AppendAcked(*log, 200);
    at_cut = SyncedNow();
  }
  ASSERT_NO_FATAL_FAILURE(PowerCut(dir_.path(), at_cut));
  EXPECT_LT(Survivors(dir_.path()), 200u)
      << "with --fsync none a power cut loses acknowledged writes";
}

}  // namespace
}  // namespace voxbase
