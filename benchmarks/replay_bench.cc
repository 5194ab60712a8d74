// voxbase_replay_bench: how fast a full replay folds the log into fresh projections.
//
//   voxbase_replay_bench --dir /tmp/replay-bench --events 10000000 --per-record 100
//
// Writes --events telemetry events into a fresh embedded log (packed --per-record to an event, as
// POST /api/events packs a batch), over 1000 sessions of one app, then times RebuildProjections —
// the same code `voxbase replay` runs — and prints log records/s and events/s. The log is
// generated without fsync (it is input, not what is measured); an existing log of the same shape
// in --dir is reused.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "processors/replay.h"
#include "schemas/event.h"
#include "schemas/json_writer.h"
#include "storage/segment_log.h"

using namespace voxbase;

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  const std::string dir = args.count("--dir") ? args["--dir"] : "/tmp/voxbase-replay-bench";
  const int64_t events = args.count("--events") ? std::stoll(args["--events"]) : 1000000;
  const int64_t per_record = args.count("--per-record") ? std::stoll(args["--per-record"]) : 100;
  const int64_t records = (events + per_record - 1) / per_record;
  const std::string log_dir =
      dir + "/log-" + std::to_string(events) + "x" + std::to_string(per_record);

  SegmentLogOptions options;
  options.dir = log_dir;
  options.fsync = FsyncPolicy::kNone;
  options.max_queued_bytes = 256ull << 20;
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  int64_t have = (*log)->EndOffsets().value()[0];
  if (have != 0 && have != records) {
    std::fprintf(stderr, "%s holds %lld records, not %lld; remove it\n", log_dir.c_str(),
                 static_cast<long long>(have), static_cast<long long>(records));
    return 1;
  }
  if (have == 0) {
    auto started = std::chrono::steady_clock::now();
    std::atomic<int64_t> outstanding{0};
    int64_t written = 0;
    for (int64_t r = 0; r < records; ++r) {
      JsonWriter w;
      w.BeginObject().Key("events").BeginArray();
      for (int64_t i = 0; i < per_record && written < events; ++i, ++written) {
        w.BeginObject()
            .Field("id", "evt_" + std::to_string(r) + "." + std::to_string(i))
            .Field("sessionId", "session-" + std::to_string(written % 1000))
            .Field("type", "latency")
            .Field("ts", static_cast<int64_t>(1700000000000 + written))
            .RawField("data", R"({"stage":"tts","ms":182})")
            .Field("receivedAt", static_cast<int64_t>(1700000000000 + written))
            .EndObject();
      }
      w.EndArray().EndObject();
      Event event{"evt_" + std::to_string(r),
                  EventType::kTelemetryRecorded,
                  "app_0123456789abcdef",
                  1700000000000 + r,
                  w.str(),
                  std::nullopt};
      while (outstanding > 20000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++outstanding;
      (*log)->Append("app", EncodeEvent(event), [&outstanding](Result<LogPosition> p) {
        if (!p.ok()) std::fprintf(stderr, "append failed: %s\n", p.status().ToString().c_str());
        --outstanding;
      });
    }
    while (outstanding > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::fprintf(stderr, "generated %lld records in %.1fs\n", static_cast<long long>(records),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  const std::string target = dir + "/projections";
  Result<ReplayReport> report = RebuildProjections(**log, target);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "replayed %lld records (%lld events, %lld per record) in %.2fs: %.0f records/s, %.0f "
      "events/s\n",
      static_cast<long long>(report->events), static_cast<long long>(events),
      static_cast<long long>(per_record), report->seconds,
      static_cast<double>(report->events) / report->seconds,
      static_cast<double>(events) / report->seconds);
  std::filesystem::remove_all(target);
  return 0;
}
