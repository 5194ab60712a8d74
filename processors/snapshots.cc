#include "processors/snapshots.h"

#include <simdjson.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "processors/catalogue.h"
#include "processors/runner.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"
#include "storage/durable_file.h"

namespace voxbase {
namespace {

namespace fs = std::filesystem;

constexpr char kMetaFile[] = "SNAPSHOT";

// The lowest next offset per partition over every processor, as the store at `path` holds them.
Result<std::vector<int64_t>> CoveredPositions(const std::string& path) {
  StoreOptions options = ProjectionStoreOptions(path);
  options.read_only = true;
  options.block_cache_bytes = 1 << 20;
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
  if (!store.ok()) return store.status();
  std::vector<int64_t> covered;
  bool first = true;
  for (const std::string& name : ProcessorNames()) {
    Result<std::vector<int64_t>> own = StoredPositions(**store, name);
    if (!own.ok()) return own.status();
    if (first) {
      covered = *own;
      first = false;
      continue;
    }
    // A partition a processor has no entry for is at 0 for it.
    if (own->size() < covered.size()) own->resize(covered.size(), 0);
    if (covered.size() < own->size()) covered.resize(own->size(), 0);
    for (size_t p = 0; p < covered.size(); ++p) covered[p] = std::min(covered[p], (*own)[p]);
  }
  return covered;
}

Result<SnapshotInfo> ReadSnapshot(const fs::path& dir) {
  std::ifstream in(dir / kMetaFile);
  if (!in) return NotFound("no " + std::string(kMetaFile) + " in " + dir.string());
  std::stringstream text;
  text << in.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.str()).get(root) != simdjson::SUCCESS) {
    return Corruption(dir.string() + "/" + kMetaFile + " is not JSON");
  }
  SnapshotInfo info;
  info.name = dir.filename().string();
  info.path = dir.string();
  simdjson::dom::array positions;
  if (root["positions"].get(positions) != simdjson::SUCCESS ||
      root["createdAtMs"].get(info.created_at_ms) != simdjson::SUCCESS) {
    return Corruption(dir.string() + "/" + kMetaFile + " lacks positions or createdAtMs");
  }
  for (simdjson::dom::element p : positions) {
    int64_t offset = 0;
    if (p.get(offset) != simdjson::SUCCESS || offset < 0) {
      return Corruption(dir.string() + "/" + kMetaFile + " has a bad position");
    }
    info.positions.push_back(offset);
  }
  return info;
}

int64_t Total(const std::vector<int64_t>& positions) {
  int64_t total = 0;
  for (int64_t p : positions) total += p;
  return total;
}

}  // namespace

std::string SnapshotsDirectory(const std::string& data_dir) { return data_dir + "/snapshots"; }

Result<SnapshotInfo> TakeSnapshot(ProjectionStore& store, const std::string& snapshots_dir,
                                  int64_t now_ms) {
  std::error_code ec;
  fs::create_directories(snapshots_dir, ec);
  if (ec) return IOError("cannot create " + snapshots_dir + ": " + ec.message());
  char name[48];
  std::snprintf(name, sizeof(name), "snapshot-%016" PRId64, now_ms);
  std::string final_name = name;
  for (int n = 1; fs::exists(snapshots_dir + "/" + final_name); ++n) {
    final_name = std::string(name) + "-" + std::to_string(n);
  }
  // Built under a name listing ignores, renamed into place once complete.
  const std::string partial = snapshots_dir + "/.partial-" + final_name;
  fs::remove_all(partial, ec);
  VOX_RETURN_IF_ERROR(store.Checkpoint(partial));
  Result<std::vector<int64_t>> positions = CoveredPositions(partial);
  if (!positions.ok()) {
    fs::remove_all(partial, ec);
    return positions.status();
  }
  SnapshotInfo info;
  info.name = final_name;
  info.path = snapshots_dir + "/" + final_name;
  info.positions = *positions;
  info.created_at_ms = now_ms;
  JsonWriter meta;
  meta.BeginObject().Key("positions").BeginArray();
  for (int64_t p : info.positions) meta.Int(p);
  meta.EndArray().Field("createdAtMs", now_ms).EndObject();
  VOX_RETURN_IF_ERROR(WriteFileDurably(partial + "/" + kMetaFile, meta.view()));
  fs::rename(partial, info.path, ec);
  if (ec) return IOError("cannot move " + partial + " into place: " + ec.message());
  VOX_RETURN_IF_ERROR(SyncDirectory(snapshots_dir));
  return info;
}

Result<std::vector<SnapshotInfo>> ListSnapshots(const std::string& snapshots_dir) {
  std::vector<SnapshotInfo> out;
  std::error_code ec;
  if (!fs::exists(snapshots_dir, ec)) return out;
  for (const fs::directory_entry& entry : fs::directory_iterator(snapshots_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !name.starts_with("snapshot-")) continue;
    Result<SnapshotInfo> info = ReadSnapshot(entry.path());
    if (info.ok()) {
      out.push_back(std::move(*info));
    } else if (info.status().code() != StatusCode::kNotFound) {
      std::fprintf(stderr, "voxbase: ignoring snapshot %s: %s\n", name.c_str(),
                   info.status().ToString().c_str());
    }
  }
  if (ec) return IOError("cannot list " + snapshots_dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
    int64_t ta = Total(a.positions), tb = Total(b.positions);
    if (ta != tb) return ta < tb;
    if (a.created_at_ms != b.created_at_ms) return a.created_at_ms < b.created_at_ms;
    return a.name < b.name;
  });
  return out;
}

Result<std::vector<SnapshotInfo>> PruneSnapshots(const std::string& snapshots_dir, size_t keep) {
  keep = std::max<size_t>(keep, 1);
  Result<std::vector<SnapshotInfo>> all = ListSnapshots(snapshots_dir);
  if (!all.ok()) return all.status();
  std::vector<SnapshotInfo> kept = std::move(*all);
  std::error_code ec;
  size_t drop = kept.size() > keep ? kept.size() - keep : 0;
  for (size_t i = 0; i < drop; ++i) {
    fs::remove_all(kept[i].path, ec);
    if (ec) return IOError("cannot remove " + kept[i].path + ": " + ec.message());
  }
  kept.erase(kept.begin(), kept.begin() + static_cast<ptrdiff_t>(drop));
  // Interrupted snapshots: a directory without SNAPSHOT, or one still under its partial name.
  if (fs::exists(snapshots_dir, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(snapshots_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_directory()) continue;
      bool interrupted = name.starts_with(".partial-") ||
                         (name.starts_with("snapshot-") && !fs::exists(entry.path() / kMetaFile));
      if (interrupted) fs::remove_all(entry.path(), ec);
    }
  }
  return kept;
}

Status RestoreSnapshot(const SnapshotInfo& snapshot, const std::string& target_dir) {
  std::error_code ec;
  fs::remove_all(target_dir, ec);
  if (ec) return IOError("cannot clear " + target_dir + ": " + ec.message());
  fs::create_directories(target_dir, ec);
  if (ec) return IOError("cannot create " + target_dir + ": " + ec.message());
  for (const fs::directory_entry& entry : fs::directory_iterator(snapshot.path, ec)) {
    const fs::path& from = entry.path();
    const std::string name = from.filename().string();
    if (name == kMetaFile || !entry.is_regular_file()) continue;
    const fs::path to = fs::path(target_dir) / name;
    if (name.ends_with(".sst")) {
      fs::create_hard_link(from, to, ec);
      if (!ec) continue;
      ec.clear();  // another filesystem: copy instead
    }
    fs::copy_file(from, to, ec);
    if (ec) return IOError("cannot copy " + from.string() + ": " + ec.message());
  }
  if (ec) return IOError("cannot read " + snapshot.path + ": " + ec.message());
  return SyncDirectory(target_dir);
}

Result<RetentionPolicy::Log> ParseLogRetention(std::string_view name) {
  if (name == "keep") return RetentionPolicy::Log::kKeep;
  if (name == "delete") return RetentionPolicy::Log::kDelete;
  if (name == "archive") return RetentionPolicy::Log::kArchive;
  return InvalidArgument("--log-retention must be keep, delete or archive, not '" +
                         std::string(name) + "'");
}

std::string_view LogRetentionName(RetentionPolicy::Log log) {
  switch (log) {
    case RetentionPolicy::Log::kKeep:
      return "keep";
    case RetentionPolicy::Log::kDelete:
      return "delete";
    case RetentionPolicy::Log::kArchive:
      return "archive";
  }
  return "keep";
}

Result<SnapshotRun> SnapshotWithRetention(ProjectionStore& store, SegmentLog* log,
                                          const RetentionPolicy& policy,
                                          const std::string& snapshots_dir, int64_t now_ms) {
  SnapshotRun run;
  Result<SnapshotInfo> taken = TakeSnapshot(store, snapshots_dir, now_ms);
  if (!taken.ok()) return taken.status();
  run.snapshot = std::move(*taken);
  Result<std::vector<SnapshotInfo>> kept = PruneSnapshots(snapshots_dir, policy.keep_snapshots);
  if (!kept.ok()) return kept.status();
  run.kept = std::move(*kept);
  if (log == nullptr || policy.log == RetentionPolicy::Log::kKeep || run.kept.empty()) return run;
  // The oldest kept snapshot bounds what a rebuild can need: everything below it can go.
  const std::vector<int64_t>& oldest = run.kept.front().positions;
  const int64_t below = oldest.empty() ? 0 : oldest[0];
  Result<SegmentLog::RetentionReport> trimmed = log->RemoveSegmentsBelow(
      below, policy.log == RetentionPolicy::Log::kArchive ? policy.archive_dir : std::string());
  if (!trimmed.ok()) return trimmed.status();
  run.trimmed = *trimmed;
  return run;
}

Result<std::optional<SnapshotInfo>> NewestUsableSnapshot(const std::string& snapshots_dir,
                                                         const std::vector<int64_t>& starts,
                                                         const std::vector<int64_t>& ends) {
  Result<std::vector<SnapshotInfo>> snapshots = ListSnapshots(snapshots_dir);
  if (!snapshots.ok()) return snapshots.status();
  for (auto it = snapshots->rbegin(); it != snapshots->rend(); ++it) {
    if (CoversLogStart(it->positions, starts) && CoversLogStart(ends, it->positions)) {
      return std::optional<SnapshotInfo>(*it);
    }
  }
  return std::optional<SnapshotInfo>();
}

bool CoversLogStart(const std::vector<int64_t>& positions, const std::vector<int64_t>& starts) {
  for (size_t p = 0; p < starts.size(); ++p) {
    int64_t at = p < positions.size() ? positions[p] : 0;
    if (at < starts[p]) return false;
  }
  return true;
}

}  // namespace voxbase
