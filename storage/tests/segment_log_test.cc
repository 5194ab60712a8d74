#include "storage/segment_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<SegmentLog> OpenOrDie(SegmentLogOptions options) {
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(std::move(options));
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

std::vector<LogRecord> ReadAll(EventLog& log, int64_t from = 0) {
  Result<std::unique_ptr<LogReader>> reader = log.NewReader({from});
  EXPECT_TRUE(reader.ok());
  std::vector<LogRecord> out;
  while (true) {
    Result<std::vector<LogRecord>> batch = (*reader)->Poll(1000, milliseconds(0));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok() || batch->empty()) break;
    for (auto& r : *batch) out.push_back(std::move(r));
  }
  return out;
}

std::string Payload(int i) { return "record-" + std::to_string(i) + std::string(i % 7, 'x'); }

std::string LastSegment(const std::string& dir) {
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string p = e.path().string();
    if (p.ends_with(".log") && p > last) last = p;
  }
  return last;
}

TEST(SegmentLogTest, AppendsGetDenseOffsetsAndReadBackInOrder) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  for (int i = 0; i < 100; ++i) {
    Result<LogPosition> at = log->AppendAndWait("k", Payload(i));
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(at->offset, i);
    EXPECT_EQ(at->partition, 0);
  }
  EXPECT_EQ(log->EndOffsets(), std::vector<int64_t>{100});
  std::vector<LogRecord> records = ReadAll(*log);
  ASSERT_EQ(records.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(records[i].position.offset, i);
    EXPECT_EQ(records[i].payload, Payload(i));
  }
  std::vector<LogRecord> tail = ReadAll(*log, 95);
  ASSERT_EQ(tail.size(), 5u);
  EXPECT_EQ(tail[0].payload, Payload(95));
}

TEST(SegmentLogTest, ReopenKeepsRecordsAndContinuesOffsets) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path()});
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  auto log = OpenOrDie({.dir = dir.path()});
  EXPECT_EQ(log->recovery().end_offset, 10);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  Result<LogPosition> at = log->AppendAndWait("k", Payload(10));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->offset, 10);
  EXPECT_EQ(ReadAll(*log).size(), 11u);
}

TEST(SegmentLogTest, TornTailIsTruncatedAndEverythingBeforeItKept) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path()});
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  std::string segment = LastSegment(dir.path());
  auto size = std::filesystem::file_size(segment);
  // A crash in the middle of the last write: the last record is cut short.
  std::filesystem::resize_file(segment, size - 3);
  auto log = OpenOrDie({.dir = dir.path()});
  EXPECT_EQ(log->recovery().end_offset, 19);
  EXPECT_GT(log->recovery().truncated_bytes, 0u);
  std::vector<LogRecord> records = ReadAll(*log);
  ASSERT_EQ(records.size(), 19u);
  EXPECT_EQ(records.back().payload, Payload(18));
  // New appends continue right after the last whole record.
  Result<LogPosition> at = log->AppendAndWait("k", "after-recovery");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->offset, 19);
  EXPECT_EQ(ReadAll(*log).back().payload, "after-recovery");
}

TEST(SegmentLogTest, GarbageAfterTheLastRecordIsCut) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path()});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  std::string segment = LastSegment(dir.path());
  auto size = std::filesystem::file_size(segment);
  {
    std::ofstream out(segment, std::ios::app | std::ios::binary);
    out << std::string(100, '\xab');
  }
  auto log = OpenOrDie({.dir = dir.path()});
  EXPECT_EQ(log->recovery().end_offset, 5);
  EXPECT_EQ(log->recovery().truncated_bytes, 100u);
  EXPECT_EQ(std::filesystem::file_size(segment), size);
}

TEST(SegmentLogTest, FlippedBitInTheLastRecordFailsItsCrc) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path()});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  std::string segment = LastSegment(dir.path());
  auto size = std::filesystem::file_size(segment);
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size) - 2);
    f.put('#');
  }
  auto log = OpenOrDie({.dir = dir.path()});
  EXPECT_EQ(log->recovery().end_offset, 4);
  EXPECT_EQ(ReadAll(*log).size(), 4u);
}

TEST(SegmentLogTest, RollsSegmentsAndReadsAcrossThem) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 512});
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
    std::vector<LogRecord> records = ReadAll(*log, 37);
    ASSERT_EQ(records.size(), 163u);
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ(records[i].payload, Payload(static_cast<int>(i) + 37));
    }
  }
  size_t segments = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    segments += e.path().string().ends_with(".log");
  }
  EXPECT_GT(segments, 10u);
  auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 512});
  EXPECT_EQ(log->recovery().end_offset, 200);
  EXPECT_EQ(ReadAll(*log).size(), 200u);
}

TEST(SegmentLogTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  Result<std::unique_ptr<SegmentLog>> second = SegmentLog::Open({.dir = dir.path()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
}

TEST(SegmentLogTest, ConcurrentAppendersGetUniqueOffsetsUnderEveryPolicy) {
  for (FsyncPolicy policy : {FsyncPolicy::kAlways, FsyncPolicy::kInterval, FsyncPolicy::kNone}) {
    TestDir dir;
    auto log = OpenOrDie({.dir = dir.path(), .fsync = policy});
    constexpr int kThreads = 4, kEach = 250;
    std::vector<std::thread> threads;
    std::mutex mu;
    std::set<int64_t> offsets;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          Result<LogPosition> at = log->AppendAndWait("k", Payload(t * kEach + i));
          ASSERT_TRUE(at.ok());
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_TRUE(offsets.insert(at->offset).second);
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(offsets.size(), static_cast<size_t>(kThreads * kEach));
    EXPECT_EQ(*offsets.rbegin(), kThreads * kEach - 1);
    EXPECT_EQ(ReadAll(*log).size(), static_cast<size_t>(kThreads * kEach));
  }
}

TEST(SegmentLogTest, OversizedRecordAndFullQueueAreRefusedAtOnce) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path(), .max_queued_bytes = 1000, .max_record_bytes = 2000});
  Result<LogPosition> too_big = log->AppendAndWait("k", std::string(3000, 'a'));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kPayloadTooLarge);
  Result<LogPosition> over_queue = log->AppendAndWait("k", std::string(1500, 'a'));
  ASSERT_FALSE(over_queue.ok());
  EXPECT_EQ(over_queue.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(log->EndOffsets(), std::vector<int64_t>{0});
  EXPECT_TRUE(log->AppendAndWait("k", std::string(500, 'a')).ok());
}

TEST(SegmentLogTest, ReaderWaitsForTheNextAppend) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  Result<std::unique_ptr<LogReader>> reader = log->NewReader({0});
  ASSERT_TRUE(reader.ok());
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    ASSERT_TRUE(log->AppendAndWait("k", "late").ok());
  });
  Result<std::vector<LogRecord>> batch = (*reader)->Poll(10, milliseconds(5000));
  writer.join();
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].payload, "late");
}

}  // namespace
}  // namespace voxbase
