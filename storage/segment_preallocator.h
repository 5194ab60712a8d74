// SegmentPreallocator: keeps the segment the log is writing filled with synced zeros ahead of its
// end, from a thread of its own, so that the writer's fdatasync only flushes data.
//
// Why: appending grows the file, and an fdatasync after a write that changed the file's size must
// also write the inode; on ext4 that is a second, serial I/O, and on this project's VM it made a
// 4 KiB write + fdatasync cost ~230 µs instead of ~147 µs over blocks already on disk. RocksDB
// recycles WAL files for the same reason. The cost is writing each segment's bytes twice (zeros,
// then data) and a tail of zeros after the last record until the segment rolls or the log closes;
// recovery reads trailing zeros as what they are (segment_log.h).
//
// The writer owns the data below its end; the filler only writes at or above `claimed`, the end of
// what is zeroed or claimed by the writer, and the writer waits before writing into a range a fill
// in progress covers. The writer never depends on the fill for correctness: a write beyond the
// zeros is an ordinary append.
//
// Thread-safety: one writer thread calls Switch, Detach and BeforeWrite; the filler is
// internal. All calls are safe against the filler.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "storage/log_file_ops.h"

namespace voxbase {

class SegmentPreallocator {
 public:
  // Keeps up to `ahead_bytes` zeroed beyond the writer's end, filling half of it at a time, never
  // past `limit_bytes` (the segment's roll size). `ops` must outlive this object.
  SegmentPreallocator(const LogFileOps& ops, uint64_t ahead_bytes, uint64_t limit_bytes);
  ~SegmentPreallocator();
  SegmentPreallocator(const SegmentPreallocator&) = delete;
  SegmentPreallocator& operator=(const SegmentPreallocator&) = delete;

  // The writer writes `path` from `size` on (a new segment, or the one reopened at start).
  void Switch(const std::string& path, uint64_t size);
  // Stops filling the current segment, waiting for a fill in progress: before the writer
  // truncates or leaves it.
  void Detach();
  // Before the writer writes from its end up to `to`: waits while a fill in progress covers part
  // of that range. True when the range is zeroed and synced already (the write will not grow the
  // file).
  bool BeforeWrite(uint64_t to);

  // Writes that fell inside the zeros (the rest grew the file).
  uint64_t overwrites() const;

 private:
  void FillLoop();
  bool FillDue() const;  // with mu_ held: the zeros ahead are less than half the target

  const LogFileOps& ops_;
  const uint64_t ahead_bytes_;
  const uint64_t limit_bytes_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int fd_ = -1;           // guarded by mu_: the filler's own descriptor of the current segment
  uint64_t claimed_ = 0;  // guarded by mu_: below this, zeroed and synced or the writer's
  uint64_t written_ = 0;  // guarded by mu_: the writer's end
  bool filling_ = false;  // guarded by mu_: a fill of [claimed_, …) is in progress
  bool failed_ = false;   // guarded by mu_: a fill failed (a full disk); none until Switch
  bool stopping_ = false;
  uint64_t overwrites_ = 0;
  std::thread filler_;
};

}  // namespace voxbase
