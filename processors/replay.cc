#include "processors/replay.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "processors/catalogue.h"
#include "processors/runner.h"
#include "processors/snapshots.h"
#include "processors/vectors_processor.h"
#include "projections/tables.h"
#include "storage/durable_file.h"
#include "storage/store.h"

namespace voxbase {

Result<ReplayReport> RebuildProjections(
    EventLog& log, const std::string& target_path,
    const std::function<void(int64_t applied, int64_t end)>& progress, const SnapshotInfo* from) {
  std::error_code ec;
  std::filesystem::remove_all(target_path, ec);
  if (ec) return IOError("cannot clear " + target_path + ": " + ec.message());
  if (from != nullptr) VOX_RETURN_IF_ERROR(RestoreSnapshot(*from, target_path));

  auto started = std::chrono::steady_clock::now();
  StoreOptions options = ProjectionStoreOptions(target_path);
  options.bulk_load = true;
  options.memtable_bytes = 512ull << 20;  // room for several families' 128 MiB memtables
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
  if (!store.ok()) return store.status();

  KnowledgeIndex knowledge;
  // From a snapshot, the index starts as the snapshot's documents; the vectors processor then
  // re-applies whatever it had not (idempotent upserts and deletes).
  if (from != nullptr) VOX_RETURN_IF_ERROR(knowledge.BuildFromProjection(**store));
  Result<std::vector<std::unique_ptr<Processor>>> processors = MakeProcessors(knowledge);
  if (!processors.ok()) return processors.status();
  std::vector<Processor*> raw;
  for (auto& p : *processors) raw.push_back(p.get());
  RunnerOptions runner_options;
  runner_options.max_batch_records = 64;
  runner_options.poll_wait = std::chrono::milliseconds(0);
  runner_options.read_ahead = true;
  ProcessorRunner runner(log, **store, raw, nullptr, nullptr, runner_options);
  VOX_RETURN_IF_ERROR(runner.CatchUp(progress));
  VOX_RETURN_IF_ERROR((*store)->Flush());
  VOX_RETURN_IF_ERROR(
      knowledge.SaveSnapshot(KnowledgeSnapshotPath(target_path), runner.positions()));

  ReplayReport report;
  std::vector<int64_t> positions = runner.positions();
  for (int64_t p : positions) report.events += p;
  if (from != nullptr) {
    for (int64_t p : from->positions) report.events -= p;
    report.from_snapshot = from->name;
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

namespace {
constexpr char kCompleteMarker[] = "/REBUILD-COMPLETE";
}  // namespace

Status SwapInProjections(const std::string& rebuilt_path, const std::string& live_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string aside = live_path + ".old";
  VOX_RETURN_IF_ERROR(WriteFileDurably(rebuilt_path + kCompleteMarker, ""));
  fs::remove_all(aside, ec);
  if (fs::exists(live_path)) {
    fs::rename(live_path, aside, ec);
    if (ec) return IOError("cannot move " + live_path + " aside: " + ec.message());
  }
  fs::rename(rebuilt_path, live_path, ec);
  if (ec) return IOError("cannot move " + rebuilt_path + " into place: " + ec.message());
  const std::string parent = std::filesystem::path(live_path).parent_path().string();
  VOX_RETURN_IF_ERROR(SyncDirectory(parent.empty() ? "." : parent));
  fs::remove_all(aside, ec);
  fs::remove(live_path + kCompleteMarker, ec);
  return Status::Ok();
}

Status FinishInterruptedSwap(const std::string& live_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string aside = live_path + ".old";
  const std::string rebuilt = live_path + ".rebuild";
  if (!fs::exists(live_path)) {
    if (fs::exists(rebuilt + kCompleteMarker)) {
      fs::rename(rebuilt, live_path, ec);
      if (ec) return IOError("cannot finish the swap of " + rebuilt + ": " + ec.message());
      std::fprintf(stderr, "voxbase: finished an interrupted replay: %s is in place\n",
                   live_path.c_str());
    } else if (fs::exists(aside)) {
      fs::rename(aside, live_path, ec);
      if (ec) return IOError("cannot restore " + aside + ": " + ec.message());
      std::fprintf(stderr, "voxbase: an interrupted replay left %s; restored it\n", aside.c_str());
    }
  }
  if (fs::exists(live_path) && fs::exists(aside)) fs::remove_all(aside, ec);
  fs::remove(live_path + kCompleteMarker, ec);
  return Status::Ok();
}

}  // namespace voxbase
