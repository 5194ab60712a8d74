// ProjectionStore: the RocksDB database that holds every projection, one column family each.
//
// Families are named at open and addressed by index after that, so storage knows nothing of the
// tables themselves (projections/tables.h does). A StoreBatch collects puts and deletes that are
// committed atomically; it also answers reads as they would be after the batch, which is what a
// processor folding several events into one batch needs. RocksDB types stay in store.cc.
//
// Thread-safety: ProjectionStore is safe for concurrent reads and writes. A StoreBatch and a
// StoreIterator each belong to one thread. Iterators must be destroyed before the store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"

namespace voxbase {

class StoreBatch {
 public:
  virtual ~StoreBatch() = default;
  virtual void Put(int family, std::string_view key, std::string_view value) = 0;
  // A Put of a key that this batch never writes again nor reads back (a session log row, keyed by
  // its log position): the batch does not index it, so Get does not see it. Cheaper per row.
  virtual void PutUnread(int family, std::string_view key, std::string_view value) = 0;
  virtual void Delete(int family, std::string_view key) = 0;
  // Deletes [begin, end) when committed. Get does not see it: only for keys this batch does not
  // read again.
  virtual void DeleteRange(int family, std::string_view begin, std::string_view end) = 0;
  // Combines `operand` into the row under its family's MergeFunction (StoreOptions::merged) when
  // committed, without reading it. Get does not see it: only for keys this batch never reads nor
  // puts.
  virtual void Merge(int family, std::string_view key, std::string_view operand) = 0;
  // The value for `key` as it stands with this batch applied. Returns false when absent.
  virtual Result<bool> Get(int family, std::string_view key, std::string* value) = 0;
  virtual size_t Count() const = 0;
  // Marks a point that RollbackToSavePoint() returns the batch to, undoing what came after;
  // PopSavePoint() forgets the latest mark and keeps what came after it.
  virtual void SetSavePoint() = 0;
  virtual Status RollbackToSavePoint() = 0;
  virtual Status PopSavePoint() = 0;
};

// A StoreBatch that passes everything to another: wrappers that watch a batch (what a fold
// wrote, which rows changed) override only what they watch.
class ForwardingBatch : public StoreBatch {
 public:
  explicit ForwardingBatch(StoreBatch& inner) : inner_(inner) {}
  void Put(int family, std::string_view key, std::string_view value) override {
    inner_.Put(family, key, value);
  }
  void PutUnread(int family, std::string_view key, std::string_view value) override {
    inner_.PutUnread(family, key, value);
  }
  void Delete(int family, std::string_view key) override { inner_.Delete(family, key); }
  void DeleteRange(int family, std::string_view begin, std::string_view end) override {
    inner_.DeleteRange(family, begin, end);
  }
  void Merge(int family, std::string_view key, std::string_view operand) override {
    inner_.Merge(family, key, operand);
  }
  Result<bool> Get(int family, std::string_view key, std::string* value) override {
    return inner_.Get(family, key, value);
  }
  size_t Count() const override { return inner_.Count(); }
  void SetSavePoint() override { inner_.SetSavePoint(); }
  Status RollbackToSavePoint() override { return inner_.RollbackToSavePoint(); }
  Status PopSavePoint() override { return inner_.PopSavePoint(); }

 protected:
  StoreBatch& inner_;
};

class StoreIterator {
 public:
  virtual ~StoreIterator() = default;
  virtual void Seek(std::string_view key) = 0;
  // The last key at or before `key`.
  virtual void SeekForPrev(std::string_view key) = 0;
  virtual void SeekToFirst() = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// A family whose keys come in increasing order within groups: the group is the first
// `fixed_bytes` of the key and then everything up to and including the first `terminator` byte.
// Telling RocksDB lets it insert next to the group's last key instead of searching the memtable,
// and keep a filter of the groups in each table file, so that NewGroupIterator skips the files
// that hold none of the group's keys.
// Values of at least `apart_bytes` (0: none) go into blob files of their own, so that compaction
// rewrites only their keys: for families whose large rows are written once and never changed.
struct AppendOrderedFamily {
  int family;
  size_t fixed_bytes;
  char terminator;
  uint64_t apart_bytes = 0;
};

// How a family combines merged operands into a row: `existing` (none when the row is absent) and
// the operands in the order they were written → the new value in `out`; false when they cannot be
// combined (RocksDB then reports corruption). Must be a pure function, associative over operands,
// so any grouping RocksDB chooses (memtable, compaction, read) gives the same row.
using MergeFunction =
    std::function<bool(std::optional<std::string_view> existing,
                       const std::vector<std::string_view>& operands, std::string* out)>;

struct MergedFamily {
  int family;
  std::string name;  // recorded by RocksDB with the family: never change it
  MergeFunction merge;
  // A memtable holding this many operands for a key folds them into one value before the next,
  // so a read merges at most this many.
  size_t max_successive_merges = 32;
};

struct StoreOptions {
  std::string path;
  std::vector<std::string> families;  // "default" is added by RocksDB itself
  std::vector<AppendOrderedFamily> append_ordered;
  // Families read by point lookups that mostly miss: whole-key bloom filters in their table files
  // and in their memtables, so a miss reads no data block.
  std::vector<int> point_lookup_families;
  std::vector<MergedFamily> merged;
  bool read_only = false;
  // For a rebuild into a fresh directory: larger memtables.
  bool bulk_load = false;
  uint64_t block_cache_bytes = 256ull << 20;
  uint64_t memtable_bytes = 256ull << 20;  // all families' memtables together
};

// What the store holds in memory, from RocksDB's own accounting.
struct StoreMemory {
  uint64_t block_cache_bytes = 0;  // the block cache's usage, index partitions included (capped)
  // Of which pinned, beyond eviction: top-level indexes, level-0 index partitions, blocks held by
  // open iterators.
  uint64_t block_cache_pinned_bytes = 0;
  uint64_t memtable_bytes = 0;      // every family's memtables, active and waiting to flush
  uint64_t table_reader_bytes = 0;  // index and filter blocks held outside the block cache
};

class ProjectionStore {
 public:
  static Result<std::unique_ptr<ProjectionStore>> Open(const StoreOptions& options);
  virtual ~ProjectionStore() = default;

  virtual Result<bool> Get(int family, std::string_view key, std::string* value) const = 0;
  virtual std::unique_ptr<StoreIterator> NewIterator(int family) const = 0;
  // An iterator over the keys that start with `group` only: a whole group of an
  // AppendOrderedFamily (e.g. one session's log), or any prefix on other families.
  virtual std::unique_ptr<StoreIterator> NewGroupIterator(int family,
                                                          std::string_view group) const = 0;
  virtual std::unique_ptr<StoreBatch> NewBatch() = 0;
  // Commits the batch atomically. There is no RocksDB WAL: a batch reaches disk with the next
  // (atomic, all-family) flush, and after a crash the runner re-applies from the event log.
  virtual Status Write(StoreBatch& batch) = 0;
  // Writes memtables to disk; used before a rebuilt store is swapped in.
  virtual Status Flush() = 0;
  // Starts a flush of every family's memtables and returns at once: what a restart after a crash
  // must apply again from the log is then what came after it.
  virtual Status FlushInBackground() = 0;
  // A consistent copy of every family in `dir` (which must not exist), as of a flush it makes:
  // hard links to the immutable table files where the filesystem allows. Opens like any store.
  virtual Status Checkpoint(const std::string& dir) = 0;
  virtual StoreMemory memory() const = 0;
  virtual size_t family_count() const = 0;
  virtual const std::string& family_name(int family) const = 0;
};

}  // namespace voxbase
