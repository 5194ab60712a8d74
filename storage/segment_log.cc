#include "storage/segment_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "schemas/thread_name.h"
#include "storage/durable_file.h"

namespace voxbase {
namespace {

constexpr size_t kHeaderBytes = 16;
constexpr size_t kReadChunk = 1 << 20;

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// CRC-32 as zlib's crc32() computes it (the log format's checksum since the first version);
// libdeflate's carry-less-multiply kernel is several times faster than zlib's tables.
uint32_t RecordCrc(const char* after_crc, size_t length) {
  return libdeflate_crc32(0, after_crc, length);
}

Status Errno(const std::string& what) { return IOError(what + ": " + std::strerror(errno)); }

Status WriteAllAt(const LogFileOps& ops, int fd, const std::string& data, uint64_t at) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ops.pwrite(fd, p, left, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write to event log");
    }
    p += n;
    at += static_cast<uint64_t>(n);
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Reads one segment sequentially with a buffer; shared by recovery and readers. The buffer is
// never zero-filled: a reader that polls often must not pay for clearing a megabyte each time.
class SegmentCursor {
 public:
  SegmentCursor(int fd, uint64_t file_pos) : fd_(fd), file_pos_(file_pos) {}

  // Reads nothing at or past file position `limit`: the bytes after a segment's durable end may
  // be preallocated zeros that later turn into records, so they must never be buffered.
  void set_limit(uint64_t limit) { limit_ = limit; }

  // Makes at least `n` bytes available; false at end of file.
  Result<bool> Ensure(size_t n) {
    if (end_ - start_ >= n) return true;
    if (start_ > 0) {  // move what is left to the front
      std::memmove(buffer_.get(), buffer_.get() + start_, end_ - start_);
      file_pos_ += start_;
      end_ -= start_;
      start_ = 0;
    }
    if (capacity_ < std::max(n, kReadChunk)) {
      size_t capacity = std::max(n, kReadChunk);
      std::unique_ptr<char[]> bigger(new char[capacity]);
      if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
      buffer_ = std::move(bigger);
      capacity_ = capacity;
    }
    while (end_ < n) {
      const uint64_t at = file_pos_ + end_;
      if (at >= limit_) break;
      const size_t room = static_cast<size_t>(std::min<uint64_t>(capacity_ - end_, limit_ - at));
      ssize_t r = ::pread(fd_, buffer_.get() + end_, room, static_cast<off_t>(at));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Errno("read event log");
      }
      if (r == 0) break;
      end_ += static_cast<size_t>(r);
    }
    return end_ >= n;
  }
  const char* data() const { return buffer_.get() + start_; }
  void Consume(size_t n) { start_ += n; }
  uint64_t position() const { return file_pos_ + start_; }

 private:
  int fd_;
  uint64_t file_pos_;  // file position of buffer_[0]
  uint64_t limit_ = UINT64_MAX;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
};

// What is at a cursor: a good record, the clean end of the file, a record cut short by the end
// of the file (what a crash mid-write leaves), or a damaged one.
enum class RecordCheck { kOk, kEnd, kShort, kBadHeader, kBadCrc };

// Checks the record at the cursor; on kOk `*payload_len` is its payload size.
Result<RecordCheck> CheckRecord(SegmentCursor& cursor, int64_t expected_offset,
                                uint32_t max_record_bytes, uint32_t* payload_len) {
  Result<bool> have_header = cursor.Ensure(kHeaderBytes);
  if (!have_header.ok()) return have_header.status();
  if (!*have_header) {
    // Zero bytes left is a clean end; a few bytes is a header cut short.
    Result<bool> any = cursor.Ensure(1);
    if (!any.ok()) return any.status();
    return *any ? RecordCheck::kShort : RecordCheck::kEnd;
  }
  uint32_t crc = GetU32(cursor.data());
  uint32_t len = GetU32(cursor.data() + 4);
  uint64_t offset = GetU64(cursor.data() + 8);
  if (len > max_record_bytes || offset != static_cast<uint64_t>(expected_offset)) {
    return RecordCheck::kBadHeader;
  }
  *payload_len = len;
  Result<bool> have_body = cursor.Ensure(kHeaderBytes + len);
  if (!have_body.ok()) return have_body.status();
  if (!*have_body) return RecordCheck::kShort;
  if (RecordCrc(cursor.data() + 4, kHeaderBytes - 4 + len) != crc) return RecordCheck::kBadCrc;
  return RecordCheck::kOk;
}

// One segment, read from end to end at start.
struct SegmentScan {
  int64_t end_offset = 0;    // one past the last good record
  uint64_t valid_bytes = 0;  // bytes of good records from the start of the file
  uint64_t file_bytes = 0;
  enum class Damage { kNone, kTornTail, kCorrupt } damage = Damage::kNone;
  std::string reason;
  int64_t records_after = 0;  // corrupt: good records found after the damage
};

// One past the last non-zero byte in [from, to), or `from` when all of it is zeros: where the
// content of a file ends that was preallocated with zeros (or that a crash left zeros in).
uint64_t ContentEnd(const std::string& path, uint64_t from, uint64_t to) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return to;
  std::vector<char> chunk(kReadChunk);
  uint64_t end = from;
  for (uint64_t stop = to; stop > from;) {
    const uint64_t start = stop - std::min<uint64_t>(chunk.size(), stop - from);
    ssize_t n = ::pread(fd, chunk.data(), stop - start, static_cast<off_t>(start));
    if (n < static_cast<ssize_t>(stop - start)) {
      end = to;  // unreadable: claim nothing is zeros
      break;
    }
    auto last = std::find_if(chunk.rbegin() + static_cast<ptrdiff_t>(chunk.size() - (stop - start)),
                             chunk.rend(), [](char c) { return c != 0; });
    if (last != chunk.rend()) {
      end = start + static_cast<uint64_t>(chunk.rend() - last);
      break;
    }
    stop = start;
  }
  ::close(fd);
  return end;
}

// Good records after damage at `from`: the first position holding a whole record with a good
// CRC and a later offset, and the run of records from there.
int64_t CountRecordsAfter(const std::string& path, uint64_t from, uint64_t file_bytes,
                          int64_t after_offset, uint32_t max_record_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::string bytes(file_bytes - from, '\0');
  ssize_t n = ::pread(fd, bytes.data(), bytes.size(), static_cast<off_t>(from));
  ::close(fd);
  if (n <= 0) return 0;
  bytes.resize(static_cast<size_t>(n));
  for (size_t at = 1; at + kHeaderBytes <= bytes.size(); ++at) {
    uint32_t len = GetU32(bytes.data() + at + 4);
    uint64_t offset = GetU64(bytes.data() + at + 8);
    if (len > max_record_bytes || offset <= static_cast<uint64_t>(after_offset) ||
        offset > static_cast<uint64_t>(after_offset) + (1ull << 32) ||
        at + kHeaderBytes + len > bytes.size() ||
        RecordCrc(bytes.data() + at + 4, kHeaderBytes - 4 + len) != GetU32(bytes.data() + at)) {
      continue;
    }
    int64_t count = 0;
    for (size_t p = at; p + kHeaderBytes <= bytes.size();) {
      uint32_t l = GetU32(bytes.data() + p + 4);
      if (l > max_record_bytes || p + kHeaderBytes + l > bytes.size() ||
          RecordCrc(bytes.data() + p + 4, kHeaderBytes - 4 + l) != GetU32(bytes.data() + p)) {
        break;
      }
      ++count;
      p += kHeaderBytes + l;
    }
    return count;
  }
  return 0;
}

Result<SegmentScan> ScanSegment(const std::string& path, int64_t base, uint32_t max_record_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Errno("stat " + path);
  }
  SegmentScan scan;
  scan.file_bytes = static_cast<uint64_t>(st.st_size);
  SegmentCursor cursor(fd, 0);
  int64_t offset = base;
  RecordCheck last = RecordCheck::kEnd;
  uint32_t len = 0;
  while (true) {
    Result<RecordCheck> check = CheckRecord(cursor, offset, max_record_bytes, &len);
    if (!check.ok()) {
      ::close(fd);
      return check.status();
    }
    last = *check;
    if (last != RecordCheck::kOk) break;
    cursor.Consume(kHeaderBytes + len);
    ++offset;
  }
  ::close(fd);
  scan.end_offset = offset;
  scan.valid_bytes = cursor.position();
  const uint64_t record_end = scan.valid_bytes + kHeaderBytes + len;
  switch (last) {
    case RecordCheck::kOk:
    case RecordCheck::kEnd:
      break;
    case RecordCheck::kShort:
      // A damaged length can also run past the end of the file: it is only a torn tail if no
      // good record follows.
      scan.records_after =
          CountRecordsAfter(path, scan.valid_bytes, scan.file_bytes, offset, max_record_bytes);
      if (scan.records_after == 0) {
        scan.damage = SegmentScan::Damage::kTornTail;
        scan.reason = "the last record is cut short by the end of the file";
        break;
      }
      scan.damage = SegmentScan::Damage::kCorrupt;
      scan.reason =
          "a record's length runs past the end of the file, yet good records come after it";
      break;
    case RecordCheck::kBadCrc:
      // Nothing but zeros after it (or nothing at all): a record cut short by a crash, in
      // preallocated space or at the end of the file.
      if (record_end >= ContentEnd(path, record_end, scan.file_bytes)) {
        scan.damage = SegmentScan::Damage::kTornTail;
        scan.reason = "the last record is incompletely written";
        break;
      }
      scan.damage = SegmentScan::Damage::kCorrupt;
      scan.reason = "a record fails its checksum";
      break;
    case RecordCheck::kBadHeader:
      // Zeros after the last record (preallocated space, or what a crash can leave), perhaps
      // after a header only partly written.
      if (ContentEnd(path, scan.valid_bytes, scan.file_bytes) <= scan.valid_bytes + kHeaderBytes) {
        scan.damage = SegmentScan::Damage::kTornTail;
        scan.reason = "zeros after the last record: preallocated space, or what a crash left";
        break;
      }
      scan.damage = SegmentScan::Damage::kCorrupt;
      scan.reason = "a record header is damaged (wrong length or offset)";
      break;
  }
  if (scan.damage == SegmentScan::Damage::kCorrupt && last != RecordCheck::kShort) {
    scan.records_after =
        CountRecordsAfter(path, scan.valid_bytes, scan.file_bytes, offset, max_record_bytes);
  }
  return scan;
}

// A record's payload, with spare capacity so a JSON parser that reads past the end (simdjson
// reads up to 64 bytes) can parse it where it is rather than copy it (EventDecoder does).
std::string PaddedPayload(const char* data, size_t size) {
  constexpr size_t kParserPadding = 64;
  std::string payload;
  payload.reserve(size + kParserPadding);
  payload.assign(data, size);
  return payload;
}

class SegmentReader final : public LogReader {
 public:
  SegmentReader(const SegmentLog* log, int64_t start) : log_(log), next_(start) {}
  ~SegmentReader() override { CloseSegment(); }

  Result<std::vector<LogRecord>> Poll(size_t max_records, std::chrono::milliseconds wait) override {
    std::vector<LogRecord> out;
    durable_ = log_->WaitForEnd(next_, wait);
    const int64_t end = durable_.offset;
    if (cursor_) cursor_->set_limit(Limit());
    while (out.size() < max_records && next_ < end) {
      if (fd_ < 0) VOX_RETURN_IF_ERROR(OpenSegment());
      uint32_t len = 0;
      Result<RecordCheck> check = CheckRecord(*cursor_, next_, log_->max_record_bytes(), &len);
      if (!check.ok()) return check.status();
      if (*check == RecordCheck::kEnd) {
        // The segment is done; the log rolled to a new one starting at next_.
        std::optional<SegmentLog::SegmentRef> seg = log_->SegmentFor(next_);
        if (seg && seg->base != base_) {
          VOX_RETURN_IF_ERROR(OpenSegment());
          continue;
        }
      }
      if (*check != RecordCheck::kOk) {
        return Corruption("event log record at offset " + std::to_string(next_) +
                          " is missing or damaged below the durable end " + std::to_string(end));
      }
      out.push_back({{0, next_}, PaddedPayload(cursor_->data() + kHeaderBytes, len)});
      cursor_->Consume(kHeaderBytes + len);
      ++next_;
    }
    return out;
  }

 private:
  void CloseSegment() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    cursor_.reset();
  }

  // Opens the segment holding next_ and walks to it.
  Status OpenSegment() {
    CloseSegment();
    std::optional<SegmentLog::SegmentRef> seg = log_->SegmentFor(next_);
    if (!seg) return NotFound("no segment holds offset " + std::to_string(next_));
    base_ = seg->base;
    fd_ = ::open(seg->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Errno("open " + seg->path);
    cursor_ = std::make_unique<SegmentCursor>(fd_, 0);
    cursor_->set_limit(Limit());
    for (int64_t offset = seg->base; offset < next_; ++offset) {
      uint32_t len = 0;
      Result<RecordCheck> check = CheckRecord(*cursor_, offset, log_->max_record_bytes(), &len);
      if (!check.ok()) return check.status();
      if (*check != RecordCheck::kOk) {
        return Corruption("event log record at offset " + std::to_string(offset) +
                          " is damaged in " + seg->path);
      }
      cursor_->Consume(kHeaderBytes + len);
    }
    return Status::Ok();
  }

  // Older segments were cut to their last record when the log rolled; the newest is read no
  // further than its durable bytes.
  uint64_t Limit() const {
    return base_ == durable_.newest_base ? durable_.newest_bytes : UINT64_MAX;
  }

  const SegmentLog* log_;
  SegmentLog::DurableEnd durable_;  // as of the last poll
  int64_t next_;
  int64_t base_ = -1;  // base offset of the open segment
  int fd_ = -1;
  std::unique_ptr<SegmentCursor> cursor_;
};

}  // namespace

SegmentLog::SegmentLog(SegmentLogOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<SegmentLog>> SegmentLog::Open(SegmentLogOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return IOError("create " + options.dir + ": " + ec.message());
  std::unique_ptr<SegmentLog> log(new SegmentLog(std::move(options)));
  std::string lock_path = log->options_.dir + "/LOCK";
  log->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log->lock_fd_ < 0) return Errno("open " + lock_path);
  if (::flock(log->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status(StatusCode::kFailedPrecondition,
                  "event log " + log->options_.dir + " is in use by another process");
  }
  if (log->options_.fsync != FsyncPolicy::kNone && log->options_.preallocate_bytes > 0) {
    log->preallocator_ = std::make_unique<SegmentPreallocator>(
        log->FileOps(), log->options_.preallocate_bytes, log->options_.segment_bytes);
  }
  VOX_RETURN_IF_ERROR(log->Recover());
  log->writer_ = std::thread([raw = log.get()] {
    NameThisThread("vox-log-writer");
    raw->WriterLoop();
  });
  return log;
}

SegmentLog::~SegmentLog() {
  Close();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string SegmentLog::SegmentPath(int64_t base) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020" PRId64 ".log", base);
  return options_.dir + "/" + name;
}

Status SegmentLog::Recover() {
  DIR* dir = ::opendir(options_.dir.c_str());
  if (dir == nullptr) return Errno("open " + options_.dir);
  std::vector<int64_t> bases;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name.size() == 24 && name.ends_with(".log") &&
        std::all_of(name.begin(), name.begin() + 20, [](char c) { return c >= '0' && c <= '9'; })) {
      bases.push_back(std::stoll(name.substr(0, 20)));
    }
  }
  ::closedir(dir);
  std::sort(bases.begin(), bases.end());
  if (bases.empty()) {
    segment_bases_ = {0};
    VOX_RETURN_IF_ERROR(OpenSegmentForAppend(0, /*create=*/true));
    if (preallocator_) preallocator_->Switch(SegmentPath(0), 0);
    return Status::Ok();
  }

  // Every segment is read and checked: damage anywhere is found now, not at a later replay.
  const auto started = std::chrono::steady_clock::now();
  std::vector<SegmentScan> scans;
  size_t damaged = bases.size();  // the first damaged segment, if any
  for (size_t i = 0; i < bases.size(); ++i) {
    Result<SegmentScan> scan =
        ScanSegment(SegmentPath(bases[i]), bases[i], options_.max_record_bytes);
    if (!scan.ok()) return scan.status();
    const bool last = i + 1 == bases.size();
    if (!last && scan->damage == SegmentScan::Damage::kNone && scan->end_offset != bases[i + 1]) {
      scan->damage = SegmentScan::Damage::kCorrupt;
      scan->reason = "the segment ends at offset " + std::to_string(scan->end_offset) +
                     " but the next one starts at " + std::to_string(bases[i + 1]);
    }
    if (!last && scan->damage == SegmentScan::Damage::kTornTail) {
      scan->damage = SegmentScan::Damage::kCorrupt;  // only the newest segment may be torn
    }
    scans.push_back(std::move(*scan));
    if (scans.back().damage == SegmentScan::Damage::kCorrupt && damaged == bases.size()) {
      damaged = i;
    }
  }

  if (damaged < bases.size()) {
    const SegmentScan& bad = scans[damaged];
    int64_t dropped = bad.records_after;
    for (size_t i = damaged + 1; i < scans.size(); ++i) {
      dropped += scans[i].end_offset - bases[i];
    }
    const std::string path = SegmentPath(bases[damaged]);
    const std::string where = "segment " + path + " at offset " + std::to_string(bad.end_offset) +
                              " (byte " + std::to_string(bad.valid_bytes) + "): " + bad.reason;
    if (!options_.repair) {
      return Corruption("the event log is damaged in " + where + "; " + std::to_string(dropped) +
                        " records follow it. Nothing was changed. To cut the log at offset " +
                        std::to_string(bad.end_offset) +
                        " and drop them, stop everything and run "
                        "`voxbase repair` on this data directory, then `voxbase replay`");
    }
    for (size_t i = damaged + 1; i < bases.size(); ++i) {
      if (::unlink(SegmentPath(bases[i]).c_str()) != 0)
        return Errno("remove " + SegmentPath(bases[i]));
    }
    bases.resize(damaged + 1);
    scans.resize(damaged + 1);
    scans.back().damage = SegmentScan::Damage::kTornTail;  // cut below, like a torn tail
    repair_.dropped_records = dropped;
    repair_.cut_at_offset = bad.end_offset;
    repair_.where = where;
  }
  segment_bases_ = bases;

  const size_t newest = bases.size() - 1;
  const std::string path = SegmentPath(bases[newest]);
  const SegmentScan& tail = scans[newest];
  if (tail.damage != SegmentScan::Damage::kNone) {
    if (::truncate(path.c_str(), static_cast<off_t>(tail.valid_bytes)) != 0) {
      return Errno("truncate " + path);
    }
    recovery_.truncated_bytes = tail.file_bytes - tail.valid_bytes;
    std::fprintf(stderr,
                 "voxbase: event log recovery cut %" PRIu64
                 " bytes (%s) from %s after offset "
                 "%" PRId64 "\n",
                 recovery_.truncated_bytes, tail.reason.c_str(), path.c_str(), tail.end_offset);
  }
  const int64_t offset = tail.end_offset;
  next_offset_ = offset;
  durable_end_ = offset;
  durable_bytes_ = tail.valid_bytes;
  recovery_.end_offset = offset;
  recovery_.verify_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  VOX_RETURN_IF_ERROR(OpenSegmentForAppend(bases[newest], /*create=*/false));
  segment_size_ = tail.valid_bytes;
  if (recovery_.truncated_bytes > 0) VOX_RETURN_IF_ERROR(Sync());
  if (preallocator_) preallocator_->Switch(path, segment_size_);
  if (options_.probe) options_.probe->OnEndOffset(offset);
  return Status::Ok();
}

Status SegmentLog::OpenSegmentForAppend(int64_t base, bool create) {
  std::string path = SegmentPath(base);
  int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Errno("open " + path);
  if (create) {
    Status synced = SyncDirectory(options_.dir);
    if (!synced.ok()) {
      ::close(fd);
      return synced;
    }
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_base_ = base;
  segment_size_ = 0;
  return Status::Ok();
}

void SegmentLog::Append(std::string_view /*key*/, std::string record, AppendCallback done) {
  if (record.size() > options_.max_record_bytes) {
    done(Status(StatusCode::kPayloadTooLarge, "event of " + std::to_string(record.size()) +
                                                  " bytes exceeds the log's record limit"));
    return;
  }
  Status refusal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refusal = Status(StatusCode::kUnavailable, "event log is closing");
    } else if (!failure_.ok()) {
      refusal = Status(StatusCode::kUnavailable, "event log failed: " + failure_.message());
    } else if (queued_bytes_ + record.size() > options_.max_queued_bytes) {
      refusal = Status(StatusCode::kResourceExhausted, "event log append queue is full");
    } else {
      queued_bytes_ += record.size();
      pending_.push_back({std::move(record), std::move(done)});
      if (pending_.size() == 1) writer_cv_.notify_one();
      return;
    }
  }
  if (options_.probe && refusal.code() == StatusCode::kResourceExhausted) {
    options_.probe->OnRefused();
  }
  done(refusal);
}

void SegmentLog::WriterLoop() {
  std::vector<Pending> batch;
  const Clock& clock = options_.clock != nullptr ? *options_.clock : SystemClock::Instance();
  int64_t next_sync = clock.MonotonicMillis() + options_.fsync_interval.count();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [&] { return !pending_.empty() || stopping_; };
      if (options_.fsync == FsyncPolicy::kInterval && dirty_) {
        const int64_t remaining = std::max<int64_t>(0, next_sync - clock.MonotonicMillis());
        writer_cv_.wait_for(lock, std::chrono::milliseconds(clock.RealWaitMillis(remaining)),
                            ready);
      } else {
        writer_cv_.wait(lock, ready);
      }
      if (pending_.empty() && stopping_) break;
      batch.swap(pending_);
    }
    if (!batch.empty()) CommitBatch(batch);
    batch.clear();
    if (options_.fsync == FsyncPolicy::kInterval && dirty_ &&
        clock.MonotonicMillis() >= next_sync) {
      Status synced = Sync();
      if (!synced.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        failure_ = synced;
      }
      next_sync = clock.MonotonicMillis() + options_.fsync_interval.count();
    }
  }
  // Best effort on shutdown; failures were reported before.
  if (dirty_) Sync().IgnoreError();
  CutPreallocated().IgnoreError();
}

void SegmentLog::CommitBatch(std::vector<Pending>& batch) {
  Status failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failed = failure_;
    if (!failed.ok()) {
      for (const Pending& p : batch) queued_bytes_ -= p.record.size();
    }
  }
  if (!failed.ok()) {
    FailBatch(batch, Status(StatusCode::kUnavailable, "event log failed: " + failed.message()));
    return;
  }
  write_buffer_.clear();
  uint64_t payload_bytes = 0;
  int64_t offset = next_offset_;
  for (const Pending& p : batch) {
    size_t at = write_buffer_.size();
    write_buffer_.resize(at + kHeaderBytes);
    write_buffer_.append(p.record);
    char* header = write_buffer_.data() + at;
    PutU32(header + 4, static_cast<uint32_t>(p.record.size()));
    PutU64(header + 8, static_cast<uint64_t>(offset++));
    PutU32(header, RecordCrc(header + 4, kHeaderBytes - 4 + p.record.size()));
    payload_bytes += p.record.size();
  }

  if (preallocator_) preallocator_->BeforeWrite(segment_size_ + write_buffer_.size());
  Status status = WriteAllAt(FileOps(), fd_, write_buffer_, segment_size_);
  if (status.ok()) {
    segment_size_ += write_buffer_.size();
    dirty_ = true;
    if (options_.fsync == FsyncPolicy::kAlways) status = Sync();
  } else if (CutPreallocated().ok() && ::ftruncate(fd_, static_cast<off_t>(segment_size_)) == 0) {
    // The write failed (a full disk) and no partial batch is left behind: nothing of this batch
    // is in the log, and nothing before it was touched. Refuse this batch; the next one tries
    // again, so the log comes back by itself once there is space.
    {
      std::lock_guard<std::mutex> lock(mu_);
      write_failure_ = status;
      queued_bytes_ -= payload_bytes;
    }
    std::fprintf(stderr, "voxbase: event log write failed, batch refused, will retry: %s\n",
                 status.ToString().c_str());
    if (preallocator_) preallocator_->Switch(SegmentPath(segment_base_), segment_size_);
    FailBatch(batch,
              Status(StatusCode::kUnavailable, "the event log cannot write: " + status.message()));
    return;
  } else {
    status = Errno("truncate after failed write");
  }
  if (!status.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      failure_ = status;
      queued_bytes_ -= payload_bytes;
    }
    std::fprintf(stderr, "voxbase: event log failed, refusing further appends: %s\n",
                 status.ToString().c_str());
    FailBatch(batch, Status(StatusCode::kUnavailable, status.message()));
    return;
  }

  int64_t first = next_offset_;
  next_offset_ = offset;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_bytes_ -= payload_bytes;
    durable_end_ = next_offset_;
    durable_bytes_ = segment_size_;
    write_failure_ = Status::Ok();
  }
  reader_cv_.notify_all();
  if (options_.probe) {
    options_.probe->OnGroupCommit(batch.size(), write_buffer_.size());
    options_.probe->OnEndOffset(next_offset_);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done(LogPosition{0, first + static_cast<int64_t>(i)});
  }
  if (segment_size_ >= options_.segment_bytes) {
    Status rolled = Roll();
    if (!rolled.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      failure_ = rolled;
    }
  }
}

void SegmentLog::FailBatch(std::vector<Pending>& batch, const Status& status) {
  for (Pending& p : batch) p.done(status);
}

Status SegmentLog::Sync() {
  auto start = std::chrono::steady_clock::now();
  if (FileOps().fdatasync(fd_) != 0) return Errno("fdatasync event log");
  dirty_ = false;
  if (options_.probe) {
    options_.probe->OnFsync(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return Status::Ok();
}

Status SegmentLog::Roll() {
  if (dirty_) VOX_RETURN_IF_ERROR(Sync());
  // Readers of a segment that is not the newest read it to its end: cut its zeros first.
  VOX_RETURN_IF_ERROR(CutPreallocated());
  VOX_RETURN_IF_ERROR(OpenSegmentForAppend(next_offset_, /*create=*/true));
  {
    std::lock_guard<std::mutex> lock(mu_);
    segment_bases_.push_back(next_offset_);
    durable_bytes_ = 0;
  }
  if (preallocator_) preallocator_->Switch(SegmentPath(next_offset_), 0);
  return Status::Ok();
}

Status SegmentLog::CutPreallocated() {
  if (!preallocator_) return Status::Ok();
  preallocator_->Detach();
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Errno("stat event log segment");
  if (static_cast<uint64_t>(st.st_size) <= segment_size_) return Status::Ok();
  if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
    return Errno("cut preallocated zeros off event log segment");
  }
  return Sync();
}

Status SegmentLog::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_.ok())
    return Status(StatusCode::kUnavailable, "event log failed: " + failure_.message());
  if (!write_failure_.ok()) {
    return Status(StatusCode::kUnavailable, "event log cannot write: " + write_failure_.message());
  }
  return Status::Ok();
}

Result<std::vector<int64_t>> SegmentLog::EndOffsets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<int64_t>{durable_end_};
}

std::optional<SegmentLog::SegmentRef> SegmentLog::SegmentFor(int64_t offset) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::upper_bound(segment_bases_.begin(), segment_bases_.end(), offset);
  if (it == segment_bases_.begin()) return std::nullopt;
  int64_t base = *std::prev(it);
  return SegmentRef{base, SegmentPath(base)};
}

SegmentLog::DurableEnd SegmentLog::WaitForEnd(int64_t after, std::chrono::milliseconds wait) const {
  std::unique_lock<std::mutex> lock(mu_);
  ++readers_waiting_;
  reader_cv_.wait_for(lock, wait, [&] { return durable_end_ > after || closed_; });
  --readers_waiting_;
  return DurableEnd{durable_end_, segment_bases_.back(), durable_bytes_};
}

int SegmentLog::readers_waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return readers_waiting_;
}

Result<std::vector<int64_t>> SegmentLog::StartOffsets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<int64_t>{segment_bases_.front()};
}

namespace {

// Moves `from` into `dir`: a rename, or a synced copy and an unlink across filesystems.
Status MoveFileInto(const std::string& from, const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string to = dir + "/" + fs::path(from).filename().string();
  std::error_code ec;
  fs::rename(from, to, ec);
  if (!ec) return Status::Ok();
  if (ec != std::errc::cross_device_link) return IOError("move " + from + ": " + ec.message());
  const std::string partial = to + ".partial";
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec);
  if (ec) return IOError("copy " + from + " to " + partial + ": " + ec.message());
  int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + partial);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Errno("fsync " + partial);
  fs::rename(partial, to, ec);
  if (ec) return IOError("rename " + partial + ": " + ec.message());
  if (::unlink(from.c_str()) != 0) return Errno("remove " + from);
  return Status::Ok();
}

}  // namespace

Result<SegmentLog::RetentionReport> SegmentLog::RemoveSegmentsBelow(
    int64_t offset, const std::string& archive_dir) {
  if (!archive_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(archive_dir, ec);
    if (ec) return IOError("create " + archive_dir + ": " + ec.message());
  }
  RetentionReport report;
  std::vector<int64_t> removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A segment is wholly below `offset` when the next one starts at or below it.
    size_t n = 0;
    while (n + 1 < segment_bases_.size() && segment_bases_[n + 1] <= offset) ++n;
    removed.assign(segment_bases_.begin(), segment_bases_.begin() + static_cast<ptrdiff_t>(n));
    if (n > 0) report.records = segment_bases_[n] - segment_bases_[0];
    segment_bases_.erase(segment_bases_.begin(),
                         segment_bases_.begin() + static_cast<ptrdiff_t>(n));
    report.start_offset = segment_bases_.front();
  }
  for (int64_t base : removed) {
    const std::string path = SegmentPath(base);
    if (archive_dir.empty()) {
      if (::unlink(path.c_str()) != 0) return Errno("remove " + path);
    } else {
      VOX_RETURN_IF_ERROR(MoveFileInto(path, archive_dir));
    }
    ++report.segments;
  }
  if (!removed.empty()) {
    VOX_RETURN_IF_ERROR(SyncDirectory(options_.dir));
    if (!archive_dir.empty()) VOX_RETURN_IF_ERROR(SyncDirectory(archive_dir));
  }
  return report;
}

Result<std::unique_ptr<LogReader>> SegmentLog::NewReader(std::vector<int64_t> start_offsets) {
  int64_t start = start_offsets.empty() ? 0 : start_offsets[0];
  if (start < 0) return InvalidArgument("negative start offset");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (start < segment_bases_.front()) {
      return Status(StatusCode::kFailedPrecondition,
                    "offset " + std::to_string(start) +
                        " is no longer in the event log: retention removed the segments below " +
                        std::to_string(segment_bases_.front()));
    }
  }
  return std::unique_ptr<LogReader>(new SegmentReader(this, start));
}

void SegmentLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    stopping_ = true;
  }
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  reader_cv_.notify_all();
}

}  // namespace voxbase
