#include "storage/segment_log.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
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
  EXPECT_EQ(log->EndOffsets().value(), std::vector<int64_t>{100});
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

// A disk that fills up: while `g_disk_full`, a write puts a few bytes down and then fails with
// ENOSPC, as a real one does at the end of its space.
std::atomic<bool> g_disk_full{false};
ssize_t FullDiskWrite(int fd, const void* data, size_t size, off_t offset) {
  static thread_local bool wrote_some = false;
  if (!g_disk_full) return ::pwrite(fd, data, size, offset);
  if (!wrote_some) {
    wrote_some = true;
    return ::pwrite(fd, data, std::min<size_t>(size, 7), offset);
  }
  wrote_some = false;
  errno = ENOSPC;
  return -1;
}

TEST(SegmentLogTest, AFullDiskRefusesWritesUntilThereIsSpaceThenGoesOnWithoutLossOrReuse) {
  TestDir dir;
  LogFileOps full_disk;
  full_disk.pwrite = &FullDiskWrite;
  SegmentLogOptions options{.dir = dir.path()};
  options.file_ops = &full_disk;
  {
    auto log = OpenOrDie(options);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
    g_disk_full = true;
    for (int i = 0; i < 3; ++i) {
      Result<LogPosition> refused = log->AppendAndWait("k", "no-space");
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
      EXPECT_NE(refused.status().message().find("No space left"), std::string::npos)
          << refused.status().message();
    }
    EXPECT_FALSE(log->Health().ok()) << "readiness must see the full disk";
    EXPECT_EQ(log->EndOffsets().value(), std::vector<int64_t>{10});
    g_disk_full = false;  // space is back: no restart needed
    Result<LogPosition> at = log->AppendAndWait("k", Payload(10));
    ASSERT_TRUE(at.ok()) << at.status().ToString();
    EXPECT_EQ(at->offset, 10) << "an offset refused on the full disk is not skipped or reused";
    EXPECT_TRUE(log->Health().ok());
    EXPECT_EQ(ReadAll(*log).size(), 11u);
  }
  // The partial writes left nothing behind: the log reopens whole, with no torn tail to cut.
  auto log = OpenOrDie(options);
  std::vector<LogRecord> records = ReadAll(*log);
  ASSERT_EQ(records.size(), 11u);
  for (int i = 0; i < 11; ++i) EXPECT_EQ(records[static_cast<size_t>(i)].payload, Payload(i));
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
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

void FlipByte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(c ^ 0x5a));
}

TEST(SegmentLogTest, GarbageAfterTheLastRecordIsDamageNotATornTail) {
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
  Result<std::unique_ptr<SegmentLog>> refused = SegmentLog::Open({.dir = dir.path()});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(std::filesystem::file_size(segment), size + 100) << "a refused open changed the file";
  {
    auto log = OpenOrDie({.dir = dir.path(), .repair = true});
    EXPECT_EQ(log->recovery().end_offset, 5);
    EXPECT_EQ(log->repair().dropped_records, 0);
  }
  // (While open, the segment has preallocated zeros after its records; closing cuts them.)
  EXPECT_EQ(std::filesystem::file_size(segment), size);
}

TEST(SegmentLogTest, ZerosAfterTheLastRecordAreATornTail) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path()});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  std::string segment = LastSegment(dir.path());
  auto size = std::filesystem::file_size(segment);
  std::filesystem::resize_file(segment, size + 4096);  // what a crash can leave: zeros
  auto log = OpenOrDie({.dir = dir.path()});
  EXPECT_EQ(log->recovery().end_offset, 5);
  EXPECT_EQ(log->recovery().truncated_bytes, 4096u);
}

// Issue 7's first case: one byte flipped in the middle of the newest segment used to be taken for
// a torn tail, cutting 50 acknowledged records.
TEST(SegmentLogTest, AFlippedByteMidSegmentRefusesToOpenAndNamesWhatFollows) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path()});
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  std::string segment = LastSegment(dir.path());
  auto size = std::filesystem::file_size(segment);
  FlipByte(segment, size / 2);
  Result<std::unique_ptr<SegmentLog>> refused = SegmentLog::Open({.dir = dir.path()});
  ASSERT_FALSE(refused.ok()) << "opened with end " << (*refused)->recovery().end_offset
                             << " after cutting " << (*refused)->recovery().truncated_bytes;
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find(segment), std::string::npos) << message;
  EXPECT_NE(message.find("voxbase repair"), std::string::npos) << message;
  EXPECT_EQ(std::filesystem::file_size(segment), size) << "a refused open changed the file";
  // The records after the damaged one are counted: all of them, as good records.
  size_t at = message.find(" records follow it");
  ASSERT_NE(at, std::string::npos) << message;
  size_t start = message.rfind(' ', at - 1) + 1;
  int64_t following = std::stoll(message.substr(start, at - start));
  size_t offset_at = message.find("at offset ") + 10;
  int64_t bad = std::stoll(message.substr(offset_at));
  EXPECT_GT(bad, 30);
  EXPECT_LT(bad, 70);
  EXPECT_EQ(following, 100 - bad - 1);

  auto log = OpenOrDie({.dir = dir.path(), .repair = true});
  EXPECT_EQ(log->recovery().end_offset, bad);
  EXPECT_EQ(log->repair().cut_at_offset, bad);
  EXPECT_EQ(log->repair().dropped_records, following);
  EXPECT_EQ(ReadAll(*log).size(), static_cast<size_t>(bad));
}

TEST(SegmentLogTest, DamageInAnOlderSegmentRefusesToOpen) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 512});
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  std::vector<std::string> segments;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().string().ends_with(".log")) segments.push_back(e.path().string());
  }
  std::sort(segments.begin(), segments.end());
  ASSERT_GT(segments.size(), 3u);
  FlipByte(segments[1], 40);
  Result<std::unique_ptr<SegmentLog>> refused =
      SegmentLog::Open({.dir = dir.path(), .segment_bytes = 512});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(segments[1]), std::string::npos)
      << refused.status().message();
  // Even a cut short (not flipped) older segment is damage: only the newest may be torn.
  TestDir dir2;
  {
    auto log = OpenOrDie({.dir = dir2.path(), .segment_bytes = 512});
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  }
  segments.clear();
  for (const auto& e : std::filesystem::directory_iterator(dir2.path())) {
    if (e.path().string().ends_with(".log")) segments.push_back(e.path().string());
  }
  std::sort(segments.begin(), segments.end());
  std::filesystem::resize_file(segments[0], std::filesystem::file_size(segments[0]) - 3);
  EXPECT_FALSE(SegmentLog::Open({.dir = dir2.path(), .segment_bytes = 512}).ok());
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

size_t CountSegments(const std::string& dir) {
  size_t segments = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    segments += e.path().string().ends_with(".log");
  }
  return segments;
}

TEST(SegmentLogTest, RetentionRemovesWholeSegmentsBelowAnOffsetAndTheLogGoesOnFromThere) {
  TestDir dir;
  int64_t start = 0;
  {
    auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 512});
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
    const size_t before = CountSegments(dir.path());
    // A reader already inside an old segment keeps reading it after it is removed.
    Result<std::unique_ptr<LogReader>> early = log->NewReader({5});
    ASSERT_TRUE(early.ok());
    ASSERT_EQ((*early)->Poll(1, milliseconds(0)).value().size(), 1u);

    Result<SegmentLog::RetentionReport> report = log->RemoveSegmentsBelow(120);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    start = report->start_offset;
    // Only whole segments below 120 go: the one holding 120 stays.
    EXPECT_GT(start, 60);
    EXPECT_LE(start, 120);
    EXPECT_EQ(report->records, start);
    EXPECT_EQ(CountSegments(dir.path()), before - static_cast<size_t>(report->segments));
    EXPECT_EQ(log->StartOffsets().value(), std::vector<int64_t>{start});

    Result<std::unique_ptr<LogReader>> below = log->NewReader({start - 1});
    ASSERT_FALSE(below.ok());
    EXPECT_EQ(below.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(below.status().message().find("retention"), std::string::npos);
    std::vector<LogRecord> rest = ReadAll(*log, start);
    ASSERT_EQ(rest.size(), static_cast<size_t>(200 - start));
    EXPECT_EQ(rest.front().payload, Payload(static_cast<int>(start)));
    // Removing again below the same offset finds nothing; the newest segment is never removed.
    EXPECT_EQ(log->RemoveSegmentsBelow(120).value().segments, 0);
    EXPECT_GE(log->RemoveSegmentsBelow(1000).value().start_offset, start);
    EXPECT_GE(CountSegments(dir.path()), 1u);
    start = log->StartOffsets().value()[0];
  }
  // Reopened, the log starts where retention left it and new appends take new offsets.
  auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 512});
  EXPECT_EQ(log->recovery().end_offset, 200);
  EXPECT_EQ(log->StartOffsets().value(), std::vector<int64_t>{start});
  EXPECT_EQ(log->AppendAndWait("k", Payload(200)).value().offset, 200);
  std::vector<LogRecord> rest = ReadAll(*log, start);
  ASSERT_EQ(rest.size(), static_cast<size_t>(201 - start));
  EXPECT_EQ(rest.back().payload, Payload(200));
}

TEST(SegmentLogTest, RetentionCanArchiveSegmentsInsteadOfDeletingThem) {
  TestDir dir;
  TestDir archive;
  auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 512});
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  Result<SegmentLog::RetentionReport> report = log->RemoveSegmentsBelow(60, archive.path());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_GT(report->segments, 0);
  EXPECT_EQ(CountSegments(archive.path()), static_cast<size_t>(report->segments));
  // The archived segments are whole segments: a log opened on them reads the records below.
  auto archived = OpenOrDie({.dir = archive.path()});
  std::vector<LogRecord> old = ReadAll(*archived);
  ASSERT_EQ(old.size(), static_cast<size_t>(report->start_offset));
  EXPECT_EQ(old[7].payload, Payload(7));
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
  EXPECT_EQ(log->EndOffsets().value(), std::vector<int64_t>{0});
  EXPECT_TRUE(log->AppendAndWait("k", std::string(500, 'a')).ok());
}

TEST(SegmentLogTest, ReaderWaitsForTheNextAppend) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  Result<std::unique_ptr<LogReader>> reader = log->NewReader({0});
  ASSERT_TRUE(reader.ok());
  std::atomic<bool> returned{false};
  std::thread writer([&] {
    // Append only once the reader is blocked in its Poll.
    for (int i = 0; i < 2000 && log->readers_waiting() == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_EQ(log->readers_waiting(), 1) << "the reader never waited";
    EXPECT_FALSE(returned) << "Poll returned before the append instead of waiting for it";
    ASSERT_TRUE(log->AppendAndWait("k", "late").ok());
  });
  const auto polled = std::chrono::steady_clock::now();
  Result<std::vector<LogRecord>> batch = (*reader)->Poll(10, milliseconds(60000));
  returned = true;
  const auto waited = std::chrono::steady_clock::now() - polled;
  writer.join();
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u) << "Poll returned before the append instead of waiting for it";
  EXPECT_EQ((*batch)[0].payload, "late");
  // The append woke it, not the end of its 60 s wait.
  EXPECT_LT(waited, milliseconds(30000));
  EXPECT_EQ(log->readers_waiting(), 0);
}

// Preallocation (segment_preallocator.h): the open segment is kept written with zeros ahead of
// its records.

// Waits until the segment holds more bytes than `data`: the filler has run.
bool GrowsPast(const std::string& segment, uint64_t data) {
  for (int i = 0; i < 500; ++i) {
    if (std::filesystem::file_size(segment) > data) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return false;
}

uint64_t RecordBytes(int from, int to) {
  uint64_t bytes = 0;
  for (int i = from; i < to; ++i) bytes += 16 + Payload(i).size();
  return bytes;
}

TEST(SegmentLogTest, ARunningReaderNeverTakesPreallocatedZerosForRecords) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path(), .preallocate_bytes = 64 << 10});
  ASSERT_TRUE(GrowsPast(LastSegment(dir.path()), 0)) << "the filler never wrote zeros ahead";
  Result<std::unique_ptr<LogReader>> reader = log->NewReader({0});
  ASSERT_TRUE(reader.ok());
  std::vector<LogRecord> read;
  std::thread appender([&] {
    for (int i = 0; i < 2000; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  });
  // The reader polls while the writer fills the zeros in; a buffered zero would read as a bad
  // record below the durable end and fail the poll.
  while (read.size() < 2000) {
    Result<std::vector<LogRecord>> batch = (*reader)->Poll(7, milliseconds(50));
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (auto& r : *batch) read.push_back(std::move(r));
  }
  appender.join();
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(read[static_cast<size_t>(i)].payload, Payload(i));
}

TEST(SegmentLogTest, SegmentsEndAtTheirLastRecordOnceRolledAndOnceClosed) {
  TestDir dir;
  {
    auto log = OpenOrDie({.dir = dir.path(), .segment_bytes = 1000});
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
    // While open, every segment but the newest holds exactly its records: readers read those to
    // their end.
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (e.path().extension() == ".log") paths.push_back(e.path().string());
    }
    std::sort(paths.begin(), paths.end());
    ASSERT_GE(paths.size(), 3u);
    for (size_t i = 0; i + 1 < paths.size(); ++i) {
      int first = std::stoi(std::filesystem::path(paths[i]).stem().string());
      int next = std::stoi(std::filesystem::path(paths[i + 1]).stem().string());
      EXPECT_EQ(std::filesystem::file_size(paths[i]), RecordBytes(first, next)) << paths[i];
    }
    EXPECT_EQ(ReadAll(*log).size(), 100u);
  }
  std::string newest = LastSegment(dir.path());
  int first = std::stoi(std::filesystem::path(newest).stem().string());
  EXPECT_EQ(std::filesystem::file_size(newest), RecordBytes(first, 100)) << "close cuts the zeros";
}

// What kill -9 of a log with `records` records in `dir` leaves, copied into `to`: the segment as
// the page cache holds it, zeros after the records.
std::string CrashCopy(const std::string& dir, int records, const TestDir& to) {
  std::string segment = LastSegment(dir);
  EXPECT_TRUE(GrowsPast(segment, RecordBytes(0, records)));
  std::filesystem::copy_file(segment,
                             to.path() + "/" + std::filesystem::path(segment).filename().string());
  return to.path();
}

TEST(SegmentLogTest, AKillInsidePreallocatedSpaceKeepsEveryRecordAndTheLogGoesOn) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  TestDir copy;
  std::string crashed = CrashCopy(dir.path(), 20, copy);
  const std::string segment = LastSegment(crashed);
  ASSERT_GT(std::filesystem::file_size(segment), RecordBytes(0, 20));
  {
    auto reopened = OpenOrDie({.dir = crashed});
    EXPECT_EQ(reopened->recovery().end_offset, 20);
    Result<LogPosition> at = reopened->AppendAndWait("k", Payload(20));
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(at->offset, 20);
    EXPECT_EQ(ReadAll(*reopened).size(), 21u);
  }
  EXPECT_EQ(std::filesystem::file_size(segment), RecordBytes(0, 21));
}

TEST(SegmentLogTest, ARecordTornInsidePreallocatedSpaceIsATornTail) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  // The next record written half: its header and the start of its payload, zeros after.
  ASSERT_TRUE(log->AppendAndWait("k", std::string(3000, 'p')).ok());
  TestDir copy;
  std::string crashed = CrashCopy(dir.path(), 21, copy);
  const std::string segment = LastSegment(crashed);
  const uint64_t half = RecordBytes(0, 20) + 16 + 1500;
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(half));
    f << std::string(1500, '\0');
  }
  auto reopened = OpenOrDie({.dir = crashed});
  EXPECT_EQ(reopened->recovery().end_offset, 20);
  EXPECT_GT(reopened->recovery().truncated_bytes, 0u);
  // And a header only partly written: its first bytes, zeros after.
  reopened.reset();
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(RecordBytes(0, 20)));
    f << std::string("\x12\x34\x56\x78\x40", 5) << std::string(4096, '\0');
  }
  reopened = OpenOrDie({.dir = crashed});
  EXPECT_EQ(reopened->recovery().end_offset, 20);
}

TEST(SegmentLogTest, ADamagedRecordWithGoodOnesAfterItIsDamageEvenBeforeZeros) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  TestDir copy;
  std::string crashed = CrashCopy(dir.path(), 20, copy);
  FlipByte(LastSegment(crashed), RecordBytes(0, 10) + 20);  // inside record 10's payload
  Result<std::unique_ptr<SegmentLog>> refused = SegmentLog::Open({.dir = crashed});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_NE(refused.status().message().find("; 9 records follow it"), std::string::npos)
      << refused.status().message();
}

TEST(SegmentLogTest, WritesFallInsideTheZerosOnceTheFillerIsAhead) {
  TestDir dir;
  auto log = OpenOrDie({.dir = dir.path()});
  ASSERT_TRUE(GrowsPast(LastSegment(dir.path()), 0));
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(log->AppendAndWait("k", Payload(i)).ok());
  EXPECT_GE(log->preallocated_writes(), 50u);
}

// The record checksum is zlib's CRC-32, whatever computes it now: a segment written with zlib's
// crc32() (as every version before libdeflate did) opens and reads, and a damaged one does not.
TEST(SegmentLogTest, RecordsChecksummedWithZlibsCrc32StillRead) {
  TestDir dir;
  std::string bytes;
  for (int i = 0; i < 3; ++i) {
    const std::string payload = Payload(i) + std::string(1000 * i, 'z');
    std::string header(16, '\0');
    for (int b = 0; b < 4; ++b)
      header[4 + b] = static_cast<char>((payload.size() >> (8 * b)) & 0xff);
    for (int b = 0; b < 8; ++b)
      header[8 + b] = static_cast<char>((static_cast<uint64_t>(i) >> (8 * b)) & 0xff);
    std::string covered = header.substr(4) + payload;
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(covered.data()),
                                               static_cast<uInt>(covered.size())));
    for (int b = 0; b < 4; ++b) header[b] = static_cast<char>((crc >> (8 * b)) & 0xff);
    bytes += header + payload;
  }
  const std::string segment = dir.path() + "/00000000000000000000.log";
  {
    std::ofstream out(segment, std::ios::binary);
    out << bytes;
  }
  {
    auto log = OpenOrDie({.dir = dir.path()});
    EXPECT_EQ(log->recovery().truncated_bytes, 0u);
    std::vector<LogRecord> records = ReadAll(*log);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[2].payload, Payload(2) + std::string(2000, 'z'));
  }
  FlipByte(segment, 16 + 3);  // inside the first payload, good records after it
  EXPECT_FALSE(SegmentLog::Open({.dir = dir.path()}).ok());
}

}  // namespace
}  // namespace voxbase
