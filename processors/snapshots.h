// Snapshots: consistent copies of the projection store, each with the log position it covers, so
// a rebuild can start from one instead of offset 0 and the log below the oldest kept one can go.
//
// <data>/snapshots/<name>/ holds a RocksDB checkpoint of the live store (taken after a flush, so it
// is one committed batch boundary of every family) and a SNAPSHOT file, written last:
//   {"positions":[p0,p1,...],"createdAtMs":...}
// positions[p] is the lowest next offset of partition p over every processor in the catalogue,
// read from the checkpoint itself: everything below it is folded into the copy, and replaying the
// log from it (each processor skipping what it has applied) finishes the rebuild. A directory
// without SNAPSHOT is an interrupted snapshot and is ignored, then removed by the next prune.
//
// Thread-safety: TakeSnapshot may run beside the processors' writes (the checkpoint is RocksDB's);
// listing, pruning and restoring must not race each other on one directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"
#include "storage/segment_log.h"
#include "storage/store.h"

namespace voxbase {

struct SnapshotInfo {
  std::string name;
  std::string path;
  std::vector<int64_t> positions;  // per partition: the log below these is in the snapshot
  int64_t created_at_ms = 0;
};

std::string SnapshotsDirectory(const std::string& data_dir);

// Checkpoints `store` into a new snapshot under `snapshots_dir`.
Result<SnapshotInfo> TakeSnapshot(ProjectionStore& store, const std::string& snapshots_dir,
                                  int64_t now_ms);

// The complete snapshots, oldest (lowest position) first.
Result<std::vector<SnapshotInfo>> ListSnapshots(const std::string& snapshots_dir);

// Keeps the `keep` newest complete snapshots (at least one) and removes the rest, along with any
// interrupted one. Returns the kept ones, oldest first.
Result<std::vector<SnapshotInfo>> PruneSnapshots(const std::string& snapshots_dir, size_t keep);

// Copies a snapshot's store to `target_dir` (which is replaced) for opening read-write: table
// files are hard-linked (they are immutable), the rest copied.
Status RestoreSnapshot(const SnapshotInfo& snapshot, const std::string& target_dir);

// What happens after each snapshot: how many snapshots are kept, and what becomes of the
// embedded log's segments that lie wholly below the oldest kept one.
struct RetentionPolicy {
  size_t keep_snapshots = 2;
  enum class Log { kKeep, kDelete, kArchive };
  Log log = Log::kKeep;
  std::string archive_dir;  // kArchive: where the segments are moved
};
Result<RetentionPolicy::Log> ParseLogRetention(std::string_view name);
std::string_view LogRetentionName(RetentionPolicy::Log log);

struct SnapshotRun {
  SnapshotInfo snapshot;
  std::vector<SnapshotInfo> kept;       // oldest first; includes `snapshot`
  SegmentLog::RetentionReport trimmed;  // what left the log (nothing under kKeep or on Kafka)
};

// Takes a snapshot, prunes to policy.keep_snapshots, then (embedded log, kDelete or kArchive)
// removes the segments below the oldest kept snapshot. `log` is null on Kafka, whose topic
// retention is its own.
Result<SnapshotRun> SnapshotWithRetention(ProjectionStore& store, SegmentLog* log,
                                          const RetentionPolicy& policy,
                                          const std::string& snapshots_dir, int64_t now_ms);

// The newest snapshot in `snapshots_dir` a rebuild can start from: the log still holds everything
// after it (at or after `starts`) and it is not ahead of the log (`ends`). None: std::nullopt.
Result<std::optional<SnapshotInfo>> NewestUsableSnapshot(const std::string& snapshots_dir,
                                                         const std::vector<int64_t>& starts,
                                                         const std::vector<int64_t>& ends);

// Whether `positions` lie at or after the log's `starts` in every partition (empty starts: 0).
bool CoversLogStart(const std::vector<int64_t>& positions, const std::vector<int64_t>& starts);

}  // namespace voxbase
