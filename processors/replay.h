// Replay: rebuild every projection from offset 0 of the log (DESIGN.md invariant 4), or from a
// snapshot (processors/snapshots.h) and the log after it.
//
// RebuildProjections folds the whole log into a fresh store at `target_path` with the same
// processors the server runs, without a WAL (a rebuild that dies is thrown away), and flushes it.
// SwapInProjections then moves it into place: the old store is renamed aside and removed only
// after the new one is in place; FinishInterruptedSwap completes a swap that a crash cut short.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "schemas/status.h"
#include "storage/event_log.h"

namespace voxbase {

struct ReplayReport {
  int64_t events = 0;  // events applied by this rebuild
  double seconds = 0;
  std::string from_snapshot;  // empty: from offset 0
};

struct SnapshotInfo;

// With `from`, the rebuild starts as a copy of that snapshot and applies the log after it (the
// only way once retention removed the log's start).
Result<ReplayReport> RebuildProjections(
    EventLog& log, const std::string& target_path,
    const std::function<void(int64_t applied, int64_t end)>& progress = nullptr,
    const SnapshotInfo* from = nullptr);

// Marks the rebuilt store complete (a file inside it, synced), then renames the live store aside,
// the rebuilt one into place, and removes the old one.
Status SwapInProjections(const std::string& rebuilt_path, const std::string& live_path);

// Run before opening the live store: finishes a swap a crash interrupted. With no live store, a
// rebuilt one marked complete is moved into place, or else the old one is moved back; a leftover
// old store next to a live one is removed.
Status FinishInterruptedSwap(const std::string& live_path);

}  // namespace voxbase
