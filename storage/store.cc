#include "storage/store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_buffer_manager.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace voxbase {
namespace {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Corruption(s.ToString());
  if (s.IsNotFound()) return NotFound(s.ToString());
  if (s.IsIOError()) return IOError(s.ToString());
  if (s.IsBusy() || s.IsTryAgain()) return Status(StatusCode::kUnavailable, s.ToString());
  return Internal(s.ToString());
}

rocksdb::Slice ToSlice(std::string_view v) { return {v.data(), v.size()}; }

// The group of an AppendOrderedFamily key, as a memtable insert hint.
class GroupPrefix final : public rocksdb::SliceTransform {
 public:
  GroupPrefix(size_t fixed_bytes, char terminator)
      : fixed_bytes_(fixed_bytes),
        terminator_(terminator),
        name_("voxbase.GroupPrefix." + std::to_string(fixed_bytes)) {}
  const char* Name() const override { return name_.c_str(); }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const char* end = static_cast<const char*>(
        std::memchr(key.data() + fixed_bytes_, terminator_, key.size() - fixed_bytes_));
    return {key.data(), end ? static_cast<size_t>(end - key.data()) + 1 : key.size()};
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > fixed_bytes_; }

 private:
  size_t fixed_bytes_;
  char terminator_;
  std::string name_;
};

// The first key after every key that starts with `prefix`; empty when there is none.
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFF) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

class RocksIterator final : public StoreIterator {
 public:
  // Every key in order. Families with a group prefix are read in total order too: without it
  // RocksDB would seek by the prefix and leave the order past it undefined.
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) {
    rocksdb::ReadOptions read;
    read.total_order_seek = true;
    it_.reset(db->NewIterator(read, family));
  }
  // The keys in [lower, upper) (no upper bound when empty). auto_prefix_mode lets RocksDB use the
  // family's prefix filters where the result is the same as in total order: here, where upper is
  // the successor of a whole group.
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, std::string_view lower,
                std::string upper)
      : lower_(lower), upper_(std::move(upper)), lower_slice_(lower_), upper_slice_(upper_) {
    rocksdb::ReadOptions read;
    read.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) read.iterate_upper_bound = &upper_slice_;
    read.auto_prefix_mode = true;
    it_.reset(db->NewIterator(read, family));
  }
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  void SeekForPrev(std::string_view key) override { it_->SeekForPrev(ToSlice(key)); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  Status status() const override { return FromRocks(it_->status()); }

 private:
  // The bounds the read options point at: declared before the iterator, so they outlive it.
  std::string lower_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// RocksDB's side of a MergedFamily: full merges through the family's MergeFunction, and partial
// merges (operands with no base value combined into one, which the function's associativity
// allows), so a flush or a compaction leaves one operand per key and file, and a read merges
// only a few.
class FunctionMergeOperator final : public rocksdb::MergeOperator {
 public:
  FunctionMergeOperator(std::string name, MergeFunction merge)
      : name_(std::move(name)), merge_(std::move(merge)) {}
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::vector<std::string_view> operands;
    operands.reserve(in.operand_list.size());
    for (const rocksdb::Slice& s : in.operand_list) operands.emplace_back(s.data(), s.size());
    std::optional<std::string_view> existing;
    if (in.existing_value != nullptr) {
      existing = std::string_view(in.existing_value->data(), in.existing_value->size());
    }
    return merge_(existing, operands, &out->new_value);
  }
  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operand_list, std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    std::vector<std::string_view> operands;
    operands.reserve(operand_list.size());
    for (const rocksdb::Slice& s : operand_list) operands.emplace_back(s.data(), s.size());
    return merge_(std::nullopt, operands, new_value);
  }
  const char* Name() const override { return name_.c_str(); }

 private:
  std::string name_;
  MergeFunction merge_;
};

// A plain WriteBatch plus a hash index of what it wrote, so reads see the batch's own writes.
// The index points at each value's bytes inside the batch (a Put record ends with its value), so
// no value is copied twice. Save points keep an undo log of index entries.
class RocksBatch final : public StoreBatch {
 public:
  RocksBatch(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
             const std::vector<MergeFunction>& merges)
      : db_(db), families_(families), merges_(merges) {}

  void Put(int family, std::string_view key, std::string_view value) override {
    rocksdb::Status s =
        batch_.Put(families_[static_cast<size_t>(family)], ToSlice(key), ToSlice(value));
    if (!s.ok()) status_ = FromRocks(s);
    Remember(family, key, Written{batch_.Data().size() - value.size(), value.size()});
  }
  void PutUnread(int family, std::string_view key, std::string_view value) override {
    rocksdb::Status s =
        batch_.Put(families_[static_cast<size_t>(family)], ToSlice(key), ToSlice(value));
    if (!s.ok()) status_ = FromRocks(s);
  }
  void Delete(int family, std::string_view key) override {
    rocksdb::Status s = batch_.Delete(families_[static_cast<size_t>(family)], ToSlice(key));
    if (!s.ok()) status_ = FromRocks(s);
    Remember(family, key, Written{0, kDeleted});
  }
  void DeleteRange(int family, std::string_view begin, std::string_view end) override {
    rocksdb::Status s =
        batch_.DeleteRange(families_[static_cast<size_t>(family)], ToSlice(begin), ToSlice(end));
    if (!s.ok()) status_ = FromRocks(s);
  }
  // Operands wait here and are combined per key when the batch is committed (Finish): a row that
  // many events of one batch touch costs the memtable one entry, not one per event.
  void Merge(int family, std::string_view key, std::string_view operand) override {
    merged_.push_back(PendingMerge{family, std::string(key), std::string(operand)});
  }
  Result<bool> Get(int family, std::string_view key, std::string* value) override {
    auto it = written_.find(IndexKey(family, key));
    if (it != written_.end()) {
      if (it->second.length == kDeleted) return false;
      value->assign(batch_.Data(), it->second.offset, it->second.length);
      return true;
    }
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), families_[static_cast<size_t>(family)],
                                 ToSlice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return FromRocks(s);
    return true;
  }
  size_t Count() const override { return batch_.Count(); }

  void SetSavePoint() override {
    batch_.SetSavePoint();
    save_points_.push_back(undo_.size());
    merge_save_points_.push_back(merged_.size());
  }
  Status RollbackToSavePoint() override {
    if (save_points_.empty()) return Internal("no save point to roll back to");
    for (size_t i = undo_.size(); i > save_points_.back(); --i) {
      Undo& u = undo_[i - 1];
      if (u.previous) {
        written_[u.key] = *u.previous;
      } else {
        written_.erase(u.key);
      }
    }
    undo_.resize(save_points_.back());
    save_points_.pop_back();
    merged_.resize(merge_save_points_.back());
    merge_save_points_.pop_back();
    return FromRocks(batch_.RollbackToSavePoint());
  }
  Status PopSavePoint() override {
    if (save_points_.empty()) return Internal("no save point to pop");
    save_points_.pop_back();
    merge_save_points_.pop_back();
    if (save_points_.empty()) undo_.clear();
    return FromRocks(batch_.PopSavePoint());
  }

  // Adds the waiting merge operands to the batch, those of one key combined into one (the
  // family's MergeFunction over them alone: for an associative function, an equivalent operand).
  Status Finish() {
    if (merged_.empty()) return Status::Ok();
    std::unordered_map<std::string, std::vector<std::string_view>> by_key;
    std::vector<std::pair<int, std::string_view>> order;  // family and key, first seen first
    for (const PendingMerge& m : merged_) {
      auto [it, inserted] = by_key.try_emplace(IndexKey(m.family, m.key));
      if (inserted) order.emplace_back(m.family, m.key);
      it->second.push_back(m.operand);
    }
    std::string combined;
    for (const auto& [family, key] : order) {
      const std::vector<std::string_view>& operands = by_key[IndexKey(family, key)];
      std::string_view operand = operands.front();
      if (operands.size() > 1) {
        const MergeFunction& merge = merges_[static_cast<size_t>(family)];
        if (!merge || !merge(std::nullopt, operands, &combined)) {
          return Internal("merge operands of family " + std::to_string(family) +
                          " cannot be combined");
        }
        operand = combined;
      }
      rocksdb::Status s =
          batch_.Merge(families_[static_cast<size_t>(family)], ToSlice(key), ToSlice(operand));
      if (!s.ok()) return FromRocks(s);
    }
    merged_.clear();
    return Status::Ok();
  }

  rocksdb::WriteBatch* raw() { return &batch_; }
  const Status& status() const { return status_; }

 private:
  static constexpr size_t kDeleted = SIZE_MAX;
  struct Written {
    size_t offset;
    size_t length;  // kDeleted for a delete
  };
  struct Undo {
    std::string key;
    std::optional<Written> previous;
  };
  struct PendingMerge {
    int family;
    std::string key;
    std::string operand;
  };

  static std::string IndexKey(int family, std::string_view key) {
    std::string k;
    k.reserve(key.size() + 1);
    k.push_back(static_cast<char>(family));
    k.append(key);
    return k;
  }

  void Remember(int family, std::string_view key, Written written) {
    std::string k = IndexKey(family, key);
    auto [it, inserted] = written_.try_emplace(k, written);
    if (!save_points_.empty()) {
      undo_.push_back({k, inserted ? std::nullopt : std::optional<Written>(it->second)});
    }
    if (!inserted) it->second = written;
  }

  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& families_;
  const std::vector<MergeFunction>& merges_;  // by family; empty where none
  rocksdb::WriteBatch batch_;
  std::unordered_map<std::string, Written> written_;
  std::vector<Undo> undo_;
  std::vector<size_t> save_points_;  // undo_ sizes
  std::vector<PendingMerge> merged_;
  std::vector<size_t> merge_save_points_;  // merged_ sizes
  Status status_;
};

class RocksStore final : public ProjectionStore {
 public:
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             std::vector<std::string> names, bool read_only,
             const std::vector<MergedFamily>& merged)
      : db_(std::move(db)),
        handles_(std::move(handles)),
        names_(std::move(names)),
        read_only_(read_only) {
    user_handles_.assign(handles_.begin() + 1, handles_.end());
    merges_.resize(user_handles_.size());
    for (const MergedFamily& m : merged) merges_[static_cast<size_t>(m.family)] = m.merge;
  }

  ~RocksStore() override {
    // Without a WAL, what is only in memtables would be re-applied from the event log on the next
    // open; flushing here makes a clean stop resume exactly where it stopped.
    if (!read_only_) Flush().IgnoreError();
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }

  Result<bool> Get(int family, std::string_view key, std::string* value) const override {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[static_cast<size_t>(family + 1)],
                                 ToSlice(key), value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return FromRocks(s);
    return true;
  }

  std::unique_ptr<StoreIterator> NewIterator(int family) const override {
    return std::make_unique<RocksIterator>(db_.get(), handles_[static_cast<size_t>(family + 1)]);
  }

  std::unique_ptr<StoreIterator> NewGroupIterator(int family,
                                                  std::string_view group) const override {
    return std::make_unique<RocksIterator>(db_.get(), handles_[static_cast<size_t>(family + 1)],
                                           group, PrefixEnd(group));
  }

  std::unique_ptr<StoreBatch> NewBatch() override {
    return std::make_unique<RocksBatch>(db_.get(), user_handles_, merges_);
  }

  Status Write(StoreBatch& batch) override {
    auto& rocks_batch = static_cast<RocksBatch&>(batch);
    VOX_RETURN_IF_ERROR(rocks_batch.status());
    VOX_RETURN_IF_ERROR(rocks_batch.Finish());
    // No RocksDB WAL: the event log is the write-ahead log. See the note at Open().
    rocksdb::WriteOptions options;
    options.disableWAL = true;
    return FromRocks(db_->Write(options, rocks_batch.raw()));
  }

  Status Flush() override {
    rocksdb::FlushOptions options;
    options.wait = true;
    return FromRocks(db_->Flush(options, handles_));
  }

  Status FlushInBackground() override {
    rocksdb::FlushOptions options;
    options.wait = false;
    options.allow_write_stall = true;
    return FromRocks(db_->Flush(options, handles_));
  }

  Status Checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    VOX_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw)));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // 0: always flush first. There is no WAL, so what the memtables hold would not be in it.
    return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0));
  }

  StoreMemory memory() const override {
    StoreMemory memory;
    uint64_t value = 0;
    if (db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &value)) {
      memory.block_cache_bytes = value;
    }
    if (db_->GetIntProperty(rocksdb::DB::Properties::kBlockCachePinnedUsage, &value)) {
      memory.block_cache_pinned_bytes = value;
    }
    if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &value)) {
      memory.memtable_bytes = value;
    }
    if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &value)) {
      memory.table_reader_bytes = value;
    }
    return memory;
  }

  size_t family_count() const override { return names_.size(); }
  const std::string& family_name(int family) const override {
    return names_[static_cast<size_t>(family)];
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // [0] is "default"
  std::vector<rocksdb::ColumnFamilyHandle*> user_handles_;
  std::vector<MergeFunction> merges_;  // by family
  std::vector<std::string> names_;
  bool read_only_;
};

}  // namespace

// The store keeps no WAL of its own. Every write is one batch holding an event's changes and the
// processor's new log position, and atomic_flush writes all column families to disk together, so
// what survives a crash is always some earlier batch boundary with its matching position: the
// runner resumes there and re-applies the rest from the event log (DESIGN.md invariant 3). This
// saves writing every projected byte twice.
Result<std::unique_ptr<ProjectionStore>> ProjectionStore::Open(const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.atomic_flush = true;
  // One writer (the processor) at a time; this also lets memtable insert hints work.
  db_options.allow_concurrent_memtable_write = false;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 3;

  // Memory is in two budgets, whatever the number of families and table files: every family's
  // memtables together (a flush, atomic, starts when they reach it), and the block cache, which
  // also holds the tables' index partitions (outside it the index grew with the data, unseen:
  // 28 MiB after 13M events).
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memtable_bytes);
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = options.bulk_load ? 128ull << 20 : 64ull << 20;
  cf_options.max_write_buffer_number = 4;
  // Fresh data is compacted soon: compressing it only to decompress it again costs more than the
  // space it saves. Older levels are compressed.
  cf_options.compression_per_level = {rocksdb::kNoCompression,  rocksdb::kNoCompression,
                                      rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                                      rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                                      rocksdb::kLZ4Compression};
  cf_options.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.checksum = rocksdb::kXXH3;  // Debian's RocksDB has only the software CRC32C
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // The index is partitioned and lives in the cache: each table's top level (a few hundred bytes
  // per 4 KiB of partitions) is pinned, and so are the partitions of level-0 tables, the freshest
  // data, which reads of live sessions hit (a bounded share: level 0 is compacted down). Older
  // partitions are evicted like data blocks. A whole index pinned grew with the data (2 bytes per
  // event) past any cap; nothing but the top level pinned cost 50-row reads 10 % of their rate
  // and doubled their p99 at 20k req/s (benchmarks/RESULTS.md, 2026-12-01).
  table_options.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table_options.cache_index_and_filter_blocks = true;
  table_options.metadata_cache_options.top_level_index_pinning = rocksdb::PinningTier::kAll;
  table_options.metadata_cache_options.partition_pinning = rocksdb::PinningTier::kFlushedAndSimilar;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (size_t f = 0; f < options.families.size(); ++f) {
    rocksdb::ColumnFamilyOptions family_options = cf_options;
    for (const AppendOrderedFamily& ordered : options.append_ordered) {
      if (ordered.family == static_cast<int>(f)) {
        auto group = std::make_shared<GroupPrefix>(ordered.fixed_bytes, ordered.terminator);
        family_options.memtable_insert_with_hint_prefix_extractor = group;
        // Each table file keeps a filter of its groups (and of its whole keys, for Gets), so a
        // group's reads skip the files that do not hold it (those written for other sessions).
        family_options.prefix_extractor = group;
        rocksdb::BlockBasedTableOptions filtered = table_options;
        filtered.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        filtered.partition_filters = true;
        family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(filtered));
        if (ordered.apart_bytes > 0) {
          family_options.enable_blob_files = true;
          family_options.min_blob_size = ordered.apart_bytes;
          family_options.blob_cache = table_options.block_cache;  // within the same budget
        }
      }
    }
    if (std::find(options.point_lookup_families.begin(), options.point_lookup_families.end(),
                  static_cast<int>(f)) != options.point_lookup_families.end()) {
      rocksdb::BlockBasedTableOptions filtered = table_options;
      filtered.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(filtered));
      family_options.memtable_whole_key_filtering = true;
      family_options.memtable_prefix_bloom_size_ratio = 0.05;
    }
    for (const MergedFamily& merged : options.merged) {
      if (merged.family == static_cast<int>(f)) {
        family_options.merge_operator =
            std::make_shared<FunctionMergeOperator>(merged.name, merged.merge);
        family_options.max_successive_merges = merged.max_successive_merges;
      }
    }
    descriptors.emplace_back(options.families[f], family_options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &handles, &raw)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status(StatusCode::kFailedPrecondition,
                    "projection store " + options.path + " is in use by another process");
    }
    return FromRocks(s);
  }
  return std::unique_ptr<ProjectionStore>(new RocksStore(std::unique_ptr<rocksdb::DB>(raw),
                                                         std::move(handles), options.families,
                                                         options.read_only, options.merged));
}

}  // namespace voxbase
