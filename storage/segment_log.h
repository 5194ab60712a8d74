// SegmentLog: the embedded EventLog: one partition in segment files in one directory.
//
// Each segment is named by the offset of its first record (00000000000000000000.log) and holds
// records back to back:
//   u32 crc32 | u32 payload length | u64 offset | payload      (little-endian; the CRC covers
//                                                               everything after itself)
// One writer thread does group commit: it takes every queued append, writes them with one
// write(), syncs per FsyncPolicy, then acknowledges them in order. Readers only ever see records
// that were acknowledged, so a projection never gets ahead of what the log keeps.
//
// On open, every segment is read and checked. A torn tail — only an incomplete final record: a
// header or payload cut short by the end of the newest segment, a last record whose checksum
// fails with nothing after it, or zeros after the last record — is what a crash mid-write leaves;
// it was never acknowledged, and it is truncated. Anything else is damage: a record that fails
// its checksum with more bytes after it, or any bad record in an older segment. Then the log
// refuses to open, naming the segment, the offset and how many records follow, and changes
// nothing; SegmentLogOptions::repair (`voxbase repair`) cuts there instead and reports what it
// dropped. A LOCK file (flock) keeps a second process out of the directory.
//
// The open segment may end in zeros the preallocator wrote ahead of the last record: readers never
// read past the durable end, recovery treats a bad record followed only by zeros as a torn tail
// (what a crash inside preallocated space leaves), and a segment is cut to its last record when
// it rolls and when the log closes.
//
// Thread-safety: Append, EndOffsets and NewReader from any thread; each reader on one thread.
#pragma once

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "schemas/clock.h"
#include "storage/event_log.h"
#include "storage/log_file_ops.h"
#include "storage/log_probe.h"
#include "storage/segment_preallocator.h"

namespace voxbase {

struct SegmentLogOptions {
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  std::chrono::milliseconds fsync_interval{20};
  // Whose monotonic time the `interval` timer reads; null: the system's. Must outlive the log.
  const Clock* clock = nullptr;
  uint64_t segment_bytes = 64ull << 20;     // roll to a new segment past this size
  uint64_t max_queued_bytes = 64ull << 20;  // appends beyond this are refused
  uint32_t max_record_bytes = 16u << 20;
  // Under `always` and `interval`, the open segment is kept written with synced zeros this far
  // ahead of its last record, by a thread of its own (segment_preallocator.h), so an fdatasync
  // flushes data but not the file's size. 0: plain appends. Never used under `none`.
  uint64_t preallocate_bytes = 8ull << 20;
  LogProbe* probe = nullptr;             // optional; must outlive the log
  const LogFileOps* file_ops = nullptr;  // null: the real calls; must outlive the log
  // Repair: cut the log at the first damaged record (dropping it and everything after) instead
  // of refusing to open. Only `voxbase repair` sets it.
  bool repair = false;
};

class SegmentLog final : public EventLog {
 public:
  struct RecoveryReport {
    int64_t end_offset = 0;        // records kept
    uint64_t truncated_bytes = 0;  // bytes of torn tail removed
    double verify_seconds = 0;     // reading and checking every segment
  };
  // What a repair cut: nothing unless the log was damaged and options.repair was set.
  struct RepairReport {
    int64_t dropped_records = 0;
    int64_t cut_at_offset = -1;
    std::string where;
  };

  static Result<std::unique_ptr<SegmentLog>> Open(SegmentLogOptions options);
  ~SegmentLog() override;

  void Append(std::string_view key, std::string record, AppendCallback done) override;
  Result<std::vector<int64_t>> EndOffsets() const override;
  Status Health() const override;

 private:
  const LogFileOps& FileOps() const {
    static const LogFileOps real;
    return options_.file_ops != nullptr ? *options_.file_ops : real;
  }

 public:
  Result<std::unique_ptr<LogReader>> NewReader(std::vector<int64_t> start_offsets) override;
  void Close() override;
  // Readers blocked in a Poll, waiting for a record: what a test waits for instead of sleeping.
  int readers_waiting() const;

  // Retention: removes every segment that lies wholly below `offset` (never the newest one),
  // oldest first, so a crash midway leaves the log a contiguous suffix. With `archive_dir`, the
  // segments are moved there instead of deleted. Readers that hold a removed segment open go on
  // reading it; a reader asked to start below the new start is refused.
  struct RetentionReport {
    int64_t segments = 0;
    int64_t records = 0;
    int64_t start_offset = 0;  // the log's first offset afterwards
  };
  Result<RetentionReport> RemoveSegmentsBelow(int64_t offset, const std::string& archive_dir = {});
  Result<std::vector<int64_t>> StartOffsets() const override;

  const RecoveryReport& recovery() const { return recovery_; }
  // Group commits whose write fell inside preallocated zeros (so their fdatasync flushed no size).
  uint64_t preallocated_writes() const { return preallocator_ ? preallocator_->overwrites() : 0; }
  const RepairReport& repair() const { return repair_; }

  // For readers: the segment holding `offset` (its base and path), and a wait for new records.
  struct SegmentRef {
    int64_t base;
    std::string path;
  };
  std::optional<SegmentRef> SegmentFor(int64_t offset) const;
  // Where the durable records end: the next offset, and the newest segment's base and bytes
  // (past them the file may hold zeros or a batch still being written).
  struct DurableEnd {
    int64_t offset = 0;
    int64_t newest_base = 0;
    uint64_t newest_bytes = 0;
  };
  DurableEnd WaitForEnd(int64_t after, std::chrono::milliseconds wait) const;
  uint32_t max_record_bytes() const { return options_.max_record_bytes; }

 private:
  struct Pending {
    std::string record;
    AppendCallback done;
  };

  explicit SegmentLog(SegmentLogOptions options);
  Status Recover();
  Status OpenSegmentForAppend(int64_t base, bool create);
  void WriterLoop();
  void CommitBatch(std::vector<Pending>& batch);
  void FailBatch(std::vector<Pending>& batch, const Status& status);
  Status Sync();
  Status Roll();
  // Detaches the preallocator and cuts the zeros after the last record off the open segment.
  Status CutPreallocated();
  std::string SegmentPath(int64_t base) const;

  const SegmentLogOptions options_;
  RecoveryReport recovery_;
  RepairReport repair_;
  int lock_fd_ = -1;

  // Owned by the writer thread once it runs.
  int fd_ = -1;
  int64_t segment_base_ = 0;
  uint64_t segment_size_ = 0;
  int64_t next_offset_ = 0;
  bool dirty_ = false;  // written but not synced (interval/none)
  std::string write_buffer_;

  mutable std::mutex mu_;
  std::condition_variable writer_cv_;
  mutable std::condition_variable reader_cv_;
  mutable int readers_waiting_ = 0;     // guarded by mu_: readers blocked in a Poll
  std::vector<Pending> pending_;        // guarded by mu_
  uint64_t queued_bytes_ = 0;           // guarded by mu_
  int64_t durable_end_ = 0;             // guarded by mu_
  uint64_t durable_bytes_ = 0;          // guarded by mu_: of the newest segment
  std::vector<int64_t> segment_bases_;  // guarded by mu_, ascending
  Status failure_;                      // guarded by mu_; once set, appends fail
  // guarded by mu_: the last batch's write failed (ENOSPC, EIO) and was cut back off the segment,
  // so the file is as before it; later batches try again, and the first that lands clears it.
  Status write_failure_;
  bool stopping_ = false;                              // guarded by mu_
  bool closed_ = false;                                // guarded by mu_
  std::unique_ptr<SegmentPreallocator> preallocator_;  // null: plain appends
  std::thread writer_;
};

}  // namespace voxbase
