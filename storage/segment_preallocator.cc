#include "storage/segment_preallocator.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "schemas/thread_name.h"

namespace voxbase {
namespace {

constexpr size_t kZeroChunk = 1 << 20;

bool WriteZeros(const LogFileOps& ops, int fd, uint64_t from, uint64_t to) {
  static const std::vector<char> zeros(kZeroChunk, 0);
  while (from < to) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(to - from, kZeroChunk));
    ssize_t wrote = ops.pwrite(fd, zeros.data(), n, static_cast<off_t>(from));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    from += static_cast<uint64_t>(wrote);
  }
  return true;
}

}  // namespace

SegmentPreallocator::SegmentPreallocator(const LogFileOps& ops, uint64_t ahead_bytes,
                                         uint64_t limit_bytes)
    : ops_(ops),
      ahead_bytes_(std::max<uint64_t>(ahead_bytes, 2)),
      limit_bytes_(limit_bytes),
      filler_([this] { FillLoop(); }) {}

SegmentPreallocator::~SegmentPreallocator() {
  Detach();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  filler_.join();
}

void SegmentPreallocator::Switch(const std::string& path, uint64_t size) {
  Detach();
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  {
    std::lock_guard<std::mutex> lock(mu_);
    fd_ = fd;  // -1: this segment goes unfilled, and is appended to as before
    claimed_ = size;
    written_ = size;
    failed_ = false;
  }
  cv_.notify_all();
}

void SegmentPreallocator::Detach() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !filling_; });
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool SegmentPreallocator::BeforeWrite(uint64_t to) {
  bool overwrite = false;
  bool behind = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !filling_ || to <= claimed_; });
    overwrite = to <= claimed_;
    claimed_ = std::max(claimed_, to);
    written_ = std::max(written_, to);
    if (overwrite) ++overwrites_;
    behind = FillDue();
  }
  // Only then: waking the filler at every group commit would cost two context switches each.
  if (behind) cv_.notify_all();
  return overwrite;
}

bool SegmentPreallocator::FillDue() const {
  return fd_ >= 0 && !failed_ && !filling_ && claimed_ < limit_bytes_ &&
         claimed_ < written_ + ahead_bytes_ / 2;
}

uint64_t SegmentPreallocator::overwrites() const {
  std::lock_guard<std::mutex> lock(mu_);
  return overwrites_;
}

void SegmentPreallocator::FillLoop() {
  NameThisThread("vox-log-fill");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || FillDue(); });
    if (stopping_) return;
    const int fd = fd_;
    const uint64_t from = claimed_;
    const uint64_t to = std::min(limit_bytes_, written_ + ahead_bytes_);
    filling_ = true;
    lock.unlock();
    const bool ok = WriteZeros(ops_, fd, from, to) && ops_.fdatasync(fd) == 0;
    const int error = errno;
    lock.lock();
    filling_ = false;
    if (ok) {
      claimed_ = std::max(claimed_, to);
    } else {
      failed_ = true;  // appends go on as plain appends until the next segment
      std::fprintf(stderr, "voxbase: event log: preallocating the segment failed: %s\n",
                   std::strerror(error));
    }
    cv_.notify_all();
  }
}

}  // namespace voxbase
