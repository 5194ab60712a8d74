#include "processors/runner.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>

#include "processors/applied_event_ids.h"
#include "projections/keys.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"
#include "schemas/thread_name.h"

namespace voxbase {

std::string EncodePositions(const std::vector<int64_t>& next_offsets) {
  std::string value(1, kValueVersion);
  for (int64_t offset : next_offsets) AppendBigEndian64(&value, static_cast<uint64_t>(offset));
  return value;
}

std::string DeadLetterKey(int32_t partition, int64_t offset) {
  std::string key;
  AppendBigEndian32(&key, static_cast<uint32_t>(partition));
  AppendBigEndian64(&key, static_cast<uint64_t>(offset));
  return key;
}

namespace {

// How often, at most, the runner asks the log where it ends (a Kafka round trip).
constexpr int64_t kLagCheckMs = 1000;

// Whether `next` (next offsets per partition) is at or past `end` in every partition of `end`.
bool Reached(const std::vector<int64_t>& next, const std::vector<int64_t>& end) {
  for (size_t p = 0; p < end.size(); ++p) {
    if ((p < next.size() ? next[p] : 0) < end[p]) return false;
  }
  return true;
}

std::string DeadLetterValue(const LogRecord& record, const Status& error) {
  constexpr size_t kPreviewBytes = 64;
  JsonWriter w;
  w.BeginObject()
      .Field("partition", static_cast<int64_t>(record.position.partition))
      .Field("offset", record.position.offset)
      .Field("error", error.ToString())
      .Field("bytes", static_cast<int64_t>(record.payload.size()))
      .Field("previewHex", HexEncode(std::string_view(record.payload).substr(0, kPreviewBytes)))
      .EndObject();
  return EncodeValue(w.view());
}

// Passes everything to the batch and lists the rows of the tables (not the system families) that
// are put, merged or deleted, each once.
class RowListingBatch final : public ForwardingBatch {
 public:
  explicit RowListingBatch(StoreBatch& batch) : ForwardingBatch(batch) {}
  void Put(int family, std::string_view key, std::string_view value) override {
    List(family, key);
    inner_.Put(family, key, value);
  }
  void PutUnread(int family, std::string_view key, std::string_view value) override {
    List(family, key);
    inner_.PutUnread(family, key, value);
  }
  void Delete(int family, std::string_view key) override {
    List(family, key);
    inner_.Delete(family, key);
  }
  void Merge(int family, std::string_view key, std::string_view operand) override {
    List(family, key);
    inner_.Merge(family, key, operand);
  }

  std::vector<ChangedRow> TakeRows() { return std::move(rows_); }

 private:
  void List(int family, std::string_view key) {
    if (family >= Family(Table::kAppSlugs)) return;
    for (const ChangedRow& row : rows_) {
      if (row.family == family && row.key == key) return;
    }
    rows_.push_back(ChangedRow{family, std::string(key)});
  }

  std::vector<ChangedRow> rows_;
};

}  // namespace

Result<std::vector<int64_t>> StoredPositions(const ProjectionStore& store,
                                             std::string_view processor) {
  std::string stored;
  Result<bool> found = store.Get(Family(Table::kPositions), processor, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::vector<int64_t>{};
  return DecodePositions(stored);
}

Result<std::vector<int64_t>> DecodePositions(std::string_view value) {
  if (value.empty() || value[0] != kValueVersion || (value.size() - 1) % 8 != 0) {
    return Corruption("stored processor position is malformed");
  }
  std::vector<int64_t> offsets;
  for (size_t at = 1; at < value.size(); at += 8) {
    offsets.push_back(static_cast<int64_t>(ReadBigEndian64(value.substr(at, 8))));
  }
  return offsets;
}

ProcessorRunner::ProcessorRunner(EventLog& log, ProjectionStore& store,
                                 std::vector<Processor*> processors, AppliedWatermark* watermark,
                                 ProcessorProbe* probe, RunnerOptions options)
    : log_(log),
      store_(store),
      processors_(std::move(processors)),
      watermark_(watermark),
      probe_(probe),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : SystemClock::Instance()),
      skip_duplicates_(options.skip_duplicate_events.value_or(log.MayHoldDuplicates())) {
  for (Processor* p : processors_) name_ += (name_.empty() ? "" : "+") + std::string(p->name());
}

ProcessorRunner::~ProcessorRunner() { Stop(); }

Status ProcessorRunner::LoadPosition() {
  Result<std::vector<int64_t>> ends = log_.EndOffsets();
  end_known_ = ends.ok();
  start_end_ = ends.ok() ? std::move(*ends) : std::vector<int64_t>{};
  if (!ends.ok()) {
    std::fprintf(stderr,
                 "voxbase: processor '%s': the log's end is unknown, not ready until it is: %s\n",
                 name_.c_str(), ends.status().ToString().c_str());
  }
  processor_next_.clear();
  std::vector<int64_t> next;
  for (Processor* processor : processors_) {
    Result<std::vector<int64_t>> stored = StoredPositions(store_, processor->name());
    if (!stored.ok()) return stored.status();
    std::vector<int64_t> own = std::move(*stored);
    if (own.size() < start_end_.size()) own.resize(start_end_.size(), 0);
    if (next.empty()) next = own;
    if (next.size() < own.size()) next.resize(own.size(), 0);
    for (size_t p = 0; p < own.size(); ++p) next[p] = std::min(next[p], own[p]);
    processor_next_.push_back(std::move(own));
  }
  if (next.size() < start_end_.size()) next.resize(start_end_.size(), 0);
  for (size_t p = 0; p < start_end_.size(); ++p) {
    if (next[p] > start_end_[p]) {
      // The projections hold events the log no longer has. Starting would hand their offsets to
      // new events, which the processor would then skip as applied.
      return Status(StatusCode::kFailedPrecondition,
                    "the projections have applied the event log up to offset " +
                        std::to_string(next[p]) + " of partition " + std::to_string(p) +
                        " but the log ends at " + std::to_string(start_end_[p]) +
                        ": acknowledged events are missing from the log. Refusing to start; "
                        "restore the log, or rebuild the projections from it with `voxbase "
                        "replay` (the missing events are then lost for good)");
    }
  }
  // When the log cannot tell (a Kafka broker down at start), the reader still refuses to skip
  // removed records (auto.offset.reset=error); this check only says it earlier and clearly.
  Result<std::vector<int64_t>> starts = log_.StartOffsets();
  if (!starts.ok()) starts = std::vector<int64_t>{};
  for (size_t p = 0; p < starts->size() && p < next.size(); ++p) {
    if (next[p] < (*starts)[p]) {
      // Retention removed records these projections have not applied: going on would skip them.
      return Status(StatusCode::kFailedPrecondition,
                    "processor '" + name_ + "' must resume at offset " + std::to_string(next[p]) +
                        " of partition " + std::to_string(p) + " but the event log now starts at " +
                        std::to_string((*starts)[p]) +
                        " (older records were removed by retention). Refusing to start; restore "
                        "the projections from a snapshot at or after that offset with `voxbase "
                        "replay`");
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = next;
  }
  if (watermark_) {
    for (size_t p = 0; p < next.size(); ++p) watermark_->Advance(static_cast<int32_t>(p), next[p]);
  }
  bool done = end_known_;
  for (size_t p = 0; p < start_end_.size(); ++p) done = done && next[p] >= start_end_[p];
  caught_up_ = done;
  Result<std::unique_ptr<LogReader>> reader = log_.NewReader(next);
  if (!reader.ok()) return reader.status();
  reader_ = std::move(*reader);
  return Status::Ok();
}

Status ProcessorRunner::Start() {
  VOX_RETURN_IF_ERROR(LoadPosition());
  thread_ = std::thread([this] {
    NameThisThread("vox-apply");
    Run();
  });
  return Status::Ok();
}

void ProcessorRunner::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool ProcessorRunner::StopAtEnd(std::chrono::milliseconds timeout) {
  Result<std::vector<int64_t>> end = log_.EndOffsets();
  bool reached = false;
  if (end.ok() && thread_.joinable()) {
    std::unique_lock<std::mutex> lock(mu_);
    reached = applied_cv_.wait_for(lock, timeout, [&] {
      return !stall_.ok() || Reached(next_, *end);
    }) && stall_.ok();
  }
  Stop();
  return reached;
}

Status ProcessorRunner::stall() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stall_;
}

std::vector<int64_t> ProcessorRunner::positions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_;
}

void ProcessorRunner::Stall(const Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stall_ = status;
  }
  applied_cv_.notify_all();
  std::fprintf(stderr, "voxbase: processor '%s' STOPPED: %s\n", name_.c_str(),
               status.ToString().c_str());
  if (probe_) probe_->OnStalled(true);
  if (watermark_) watermark_->FailAll();
}

void ProcessorRunner::MaybeFlush() {
  if (options_.flush_every_records <= 0 || applied_since_flush_ < options_.flush_every_records) {
    return;
  }
  const int64_t now = clock_.MonotonicMillis();
  if (now - last_flush_ms_ < options_.flush_interval.count()) return;
  Status flushed = store_.FlushInBackground();
  if (!flushed.ok()) {
    // Not fatal: the memtables are flushed when they fill, and a restart re-applies more.
    std::fprintf(stderr, "voxbase: a background flush of the projections failed: %s\n",
                 flushed.ToString().c_str());
  }
  applied_since_flush_ = 0;
  last_flush_ms_ = now;
}

void ProcessorRunner::Run() {
  while (!stopping_) {
    Result<std::vector<LogRecord>> records =
        reader_->Poll(options_.max_batch_records, options_.poll_wait);
    if (!records.ok()) {
      Stall(records.status());
      return;
    }
    if (!records->empty()) {
      Status applied = ApplyBatch(*records);
      if (!applied.ok()) {
        Stall(applied);
        return;
      }
      applied_since_flush_ += static_cast<int64_t>(records->size());
      MaybeFlush();
    }
    if (!caught_up_ && !end_known_ && clock_.MonotonicMillis() - last_lag_check_ms_ > kLagCheckMs) {
      // Caught up means having applied the end the log had when the runner started; until the
      // log can say where that is, the runner is not caught up (and /readyz says so).
      last_lag_check_ms_ = clock_.MonotonicMillis();
      Result<std::vector<int64_t>> ends = log_.EndOffsets();
      if (ends.ok()) {
        start_end_ = std::move(*ends);
        end_known_ = true;
      }
    }
    if (!caught_up_ && end_known_) caught_up_ = Reached(positions(), start_end_);
    if (watermark_) watermark_->ExpireOverdue();
  }
}

Status ProcessorRunner::CatchUp(const std::function<void(int64_t, int64_t)>& progress) {
  VOX_RETURN_IF_ERROR(LoadPosition());
  if (!end_known_) {
    Result<std::vector<int64_t>> ends = log_.EndOffsets();
    if (!ends.ok()) return ends.status();
    start_end_ = std::move(*ends);
  }
  const std::vector<int64_t> end = start_end_;
  if (options_.read_ahead) {
    VOX_RETURN_IF_ERROR(CatchUpReadingAhead(end, progress));
  } else {
    while (!Reached(positions(), end)) {
      Result<std::vector<LogRecord>> records =
          reader_->Poll(options_.max_batch_records, options_.poll_wait);
      if (!records.ok()) return records.status();
      if (!records->empty()) VOX_RETURN_IF_ERROR(ApplyBatch(*records));
      if (progress && !end.empty()) progress(positions()[0], end[0]);
    }
  }
  caught_up_ = true;
  return Status::Ok();
}

namespace {

// One poll's records and their events, each parsed into a document of its own.
struct DecodedBatch {
  Status status;  // the poll's
  std::vector<LogRecord> records;
  std::vector<simdjson::dom::document> documents;
  std::vector<Result<DecodedEvent>> events;
};

}  // namespace

// The reading thread polls exactly as the loop of CatchUp would, stopping once what it read
// reaches `end`, and this thread applies every batch it read, in order: the same records, in the
// same batches, end in the projections as without it. Two batches are ahead at most; finished
// ones go back to the reader, so their documents' memory is reused.
Status ProcessorRunner::CatchUpReadingAhead(const std::vector<int64_t>& end,
                                            const std::function<void(int64_t, int64_t)>& progress) {
  constexpr size_t kAhead = 2;
  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::unique_ptr<DecodedBatch>> ready, spare;
  bool reader_done = false;
  bool quit = false;
  for (size_t i = 0; i < kAhead + 1; ++i) spare.push_back(std::make_unique<DecodedBatch>());

  std::thread reading([&, start = positions()] {
    NameThisThread("vox-read-ahead");
    EventDecoder decoder;
    std::vector<int64_t> read = start;
    while (!Reached(read, end)) {
      std::unique_ptr<DecodedBatch> batch;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return quit || (!spare.empty() && ready.size() < kAhead); });
        if (quit) break;
        batch = std::move(spare.front());
        spare.pop_front();
      }
      Result<std::vector<LogRecord>> records =
          reader_->Poll(options_.max_batch_records, options_.poll_wait);
      batch->status = records.status();
      batch->records.clear();
      batch->events.clear();
      if (records.ok()) {
        batch->records = std::move(*records);
        if (batch->documents.size() < batch->records.size()) {
          batch->documents.resize(batch->records.size());
        }
        for (size_t r = 0; r < batch->records.size(); ++r) {
          const LogRecord& record = batch->records[r];
          batch->events.push_back(decoder.DecodePaddedInto(batch->documents[r], record.payload));
          auto p = static_cast<size_t>(record.position.partition);
          if (p >= read.size()) read.resize(p + 1, 0);
          read[p] = std::max(read[p], record.position.offset + 1);
        }
      }
      const bool failed = !batch->status.ok();
      {
        std::lock_guard<std::mutex> lock(mu);
        ready.push_back(std::move(batch));
      }
      changed.notify_all();
      if (failed) break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      reader_done = true;
    }
    changed.notify_all();
  });

  Status result;
  while (true) {
    std::unique_ptr<DecodedBatch> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return !ready.empty() || reader_done; });
      if (ready.empty()) break;
      batch = std::move(ready.front());
      ready.pop_front();
    }
    changed.notify_all();
    result = batch->status;
    if (result.ok() && !batch->records.empty()) result = ApplyBatch(batch->records, &batch->events);
    if (!result.ok()) break;
    if (progress && !end.empty()) progress(positions()[0], end[0]);
    {
      std::lock_guard<std::mutex> lock(mu);
      spare.push_back(std::move(batch));
    }
    changed.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    quit = true;
  }
  changed.notify_all();
  reading.join();
  return result;
}

Status ProcessorRunner::ApplyBatch(const std::vector<LogRecord>& records,
                                   const std::vector<Result<DecodedEvent>>* decoded) {
  auto started = std::chrono::steady_clock::now();
  std::vector<int64_t> next = positions();
  std::unique_ptr<StoreBatch> batch = store_.NewBatch();
  Status failure;
  size_t applied = 0;
  // A feed whose every subscriber is dropping records (until it takes its queue) is not fed: a
  // stalled subscriber costs the runner nothing.
  const bool feeding = options_.feed != nullptr && options_.feed->wants_records();
  std::vector<AppliedRecord> published;
  LogPosition first_applied{};  // the first of this batch's applied events, and how many
  uint64_t applied_events = 0;
  for (size_t r = 0; r < records.size(); ++r) {
    const LogRecord& record = records[r];
    auto p = static_cast<size_t>(record.position.partition);
    if (p >= next.size()) next.resize(p + 1, 0);
    if (record.position.offset < next[p]) continue;  // redelivered: already in the projections
    batch->SetSavePoint();
    Result<DecodedEvent> event =
        decoded != nullptr ? (*decoded)[r] : decoder_.DecodePadded(record.payload);
    Status status = event.status();
    if (status.ok() && skip_duplicates_) {
      Result<bool> duplicate = AppliedEventIds::SeenElsewhere(*event, record.position, *batch);
      if (!duplicate.ok()) {
        status = duplicate.status();
      } else if (*duplicate) {
        // The same event at a new offset (a producer's duplicate): it changes nothing.
        VOX_RETURN_IF_ERROR(batch->PopSavePoint());
        if (duplicates_skipped_++ == 0) {
          std::fprintf(stderr,
                       "voxbase: event %s at partition %zu offset %lld was applied before at "
                       "another offset: skipped (counted in "
                       "voxbase_processor_duplicates_skipped_total from now on)\n",
                       std::string(event->id).c_str(), p,
                       static_cast<long long>(record.position.offset));
        }
        if (probe_) probe_->OnDuplicateSkipped();
        next[p] = record.position.offset + 1;
        ++applied;
        continue;
      }
    }
    RowListingBatch listing(*batch);
    StoreBatch& target = feeding ? static_cast<StoreBatch&>(listing) : *batch;
    for (size_t i = 0; i < processors_.size() && status.ok(); ++i) {
      std::vector<int64_t>& own = processor_next_[i];
      if (p >= own.size()) own.resize(p + 1, 0);
      if (record.position.offset < own[p]) continue;  // this processor already has it
      status = processors_[i]->Apply(*event, record.position, target);
    }
    if (!status.ok() && status.code() == StatusCode::kCorruption) {
      // Poison: this record can never be applied. Keep it, with why, and go on.
      VOX_RETURN_IF_ERROR(batch->RollbackToSavePoint());
      batch->Put(Family(Table::kDeadLetters),
                 DeadLetterKey(record.position.partition, record.position.offset),
                 DeadLetterValue(record, status));
      std::fprintf(stderr, "voxbase: dead letter at partition %zu offset %lld: %s\n", p,
                   static_cast<long long>(record.position.offset), status.ToString().c_str());
      if (probe_) probe_->OnDeadLetter();
      next[p] = record.position.offset + 1;
      ++applied;
      continue;
    }
    if (!status.ok()) {
      VOX_RETURN_IF_ERROR(batch->RollbackToSavePoint());
      failure = Status(status.code(), "at partition " + std::to_string(p) + " offset " +
                                          std::to_string(record.position.offset) + ": " +
                                          status.message());
      break;
    }
    VOX_RETURN_IF_ERROR(batch->PopSavePoint());
    if (applied_events++ == 0) first_applied = record.position;
    if (feeding) {
      published.push_back(AppliedRecord{record.position, std::string(event->app_id), event->type,
                                        std::string(event->id), listing.TakeRows()});
    }
    if (probe_) probe_->OnEventApplied(EventTypeName(event->type));
    next[p] = record.position.offset + 1;
    ++applied;
  }
  if (applied > 0) {
    for (size_t i = 0; i < processors_.size(); ++i) {
      std::vector<int64_t>& own = processor_next_[i];
      if (own.size() < next.size()) own.resize(next.size(), 0);
      for (size_t p = 0; p < next.size(); ++p) own[p] = std::max(own[p], next[p]);
      batch->Put(Family(Table::kPositions), processors_[i]->name(), EncodePositions(own));
    }
    VOX_RETURN_IF_ERROR(store_.Write(*batch));
    {
      std::lock_guard<std::mutex> lock(mu_);
      next_ = next;
    }
    applied_cv_.notify_all();
    if (probe_) {
      auto now = std::chrono::steady_clock::now();
      probe_->OnBatch(applied, std::chrono::duration<double>(now - started).count());
      int64_t applied_total = 0;
      for (int64_t n : next) applied_total += n;
      probe_->OnApplied(applied_total);
      // The log's end can cost a network round trip (Kafka): look at most once a second.
      if (const int64_t at = clock_.MonotonicMillis(); at - last_lag_check_ms_ > kLagCheckMs) {
        last_lag_check_ms_ = at;
        Result<std::vector<int64_t>> ends = log_.EndOffsets();
        if (ends.ok()) {
          int64_t end_total = 0;
          for (int64_t n : *ends) end_total += n;
          probe_->OnLogEnd(applied_total, end_total);
        }
      }
    }
    // Caught up before the feed hears of the batch, so a subscriber woken by it sees the flag.
    if (!caught_up_ && end_known_) caught_up_ = Reached(next, start_end_);
    // The watermark last: a writer it wakes may read /metrics at once, and must see this batch.
    if (watermark_) {
      for (size_t p = 0; p < next.size(); ++p) {
        watermark_->Advance(static_cast<int32_t>(p), next[p]);
      }
    }
    if (feeding) {
      options_.feed->Publish(published);
    } else if (options_.feed != nullptr && options_.feed->active()) {
      options_.feed->Drop(first_applied, applied_events);
    }
  }
  return failure;
}

}  // namespace voxbase
