// voxbase_replay_bench: how fast a full replay folds the log into fresh projections.
//
//   voxbase_replay_bench --dir /tmp/replay-bench --events 10000000 --per-record 100
//                        [--sessions-per-record 100]
//
// Writes --events telemetry events into a fresh embedded log (packed --per-record to an event, as
// POST /api/events packs a batch), over 1000 sessions of one app, each record's events spread over
// --sessions-per-record of them (default: as many as it holds events; 1 is one client's batch),
// then times RebuildProjections —
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
  const int64_t sessions_per_record =
      args.count("--sessions-per-record") ? std::stoll(args["--sessions-per-record"]) : per_record;
  if (per_record < 1 || sessions_per_record < 1) {
    std::fprintf(stderr, "--per-record and --sessions-per-record must be at least 1\n");
    return 1;
  }
  const int64_t records = (events + per_record - 1) / per_record;
  // The shape is in the name, so a log of another shape is never reused.
  std::string log_dir = dir + "/log-" + std::to_string(events) + "x" + std::to_string(per_record);
  if (sessions_per_record != per_record) log_dir += "s" + std::to_string(sessions_per_record);

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
    // Backpressure: never queue more than half of what the log takes, so no append is refused;
    // and any append that fails anyway fails the benchmark rather than thinning the log.
    std::atomic<int64_t> outstanding_bytes{0};
    std::atomic<int64_t> failed{0};
    const auto max_outstanding = static_cast<int64_t>(options.max_queued_bytes / 2);
    int64_t written = 0;
    for (int64_t r = 0; r < records; ++r) {
      JsonWriter w;
      w.BeginObject().Key("events").BeginArray();
      for (int64_t i = 0; i < per_record && written < events; ++i, ++written) {
        w.BeginObject()
            .Field("id", "evt_" + std::to_string(r) + "." + std::to_string(i))
            .Field("sessionId",
                   "session-" +
                       std::to_string((r * sessions_per_record + i % sessions_per_record) % 1000))
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
      std::string record = EncodeEvent(event);
      const auto size = static_cast<int64_t>(record.size());
      while (outstanding_bytes + size > max_outstanding) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      outstanding_bytes += size;
      (*log)->Append("app", std::move(record),
                     [&outstanding_bytes, &failed, size](Result<LogPosition> p) {
                       if (!p.ok()) {
                         std::fprintf(stderr, "append failed: %s\n", p.status().ToString().c_str());
                         ++failed;
                       }
                       outstanding_bytes -= size;
                     });
    }
    while (outstanding_bytes > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (failed > 0 || (*log)->EndOffsets().value()[0] != records) {
      std::fprintf(stderr, "the log holds %lld of %lld records (%lld appends failed)\n",
                   static_cast<long long>((*log)->EndOffsets().value()[0]),
                   static_cast<long long>(records), static_cast<long long>(failed.load()));
      return 1;
    }
    std::fprintf(stderr, "generated %lld records in %.1fs\n", static_cast<long long>(records),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  const std::string target = dir + "/projections";
  Result<ReplayReport> report = RebuildProjections(**log, target);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  // What was replayed, counted from the replay: every record holds per_record events but the
  // last, which holds the rest.
  const int64_t replayed_records = report->events;
  const int64_t replayed_events =
      replayed_records == records ? events : replayed_records * per_record;
  std::printf(
      "replayed %lld records (%lld events, %lld per record over %lld sessions) in %.2fs: %.0f "
      "records/s, %.0f events/s\n",
      static_cast<long long>(replayed_records), static_cast<long long>(replayed_events),
      static_cast<long long>(per_record), static_cast<long long>(sessions_per_record),
      report->seconds, static_cast<double>(replayed_records) / report->seconds,
      static_cast<double>(replayed_events) / report->seconds);
  std::filesystem::remove_all(target);
  return 0;
}
