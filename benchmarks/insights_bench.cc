// voxbase_insights_bench: what the overview costs to answer, and what keeping the insights costs
// a replay, with N conversations.
//
//   voxbase_insights_bench --dir /tmp/insights-bench --conversations 1000000 [--days 30]
//                          [--queries 20000]
//
// Writes --conversations conversation.saved events (one app, starts spread evenly over --days
// before a fixed "now"; a third resolved with a duration, a third abandoned, a third active) into
// a fresh embedded log, rebuilds the projections from it (the code `voxbase replay` runs; prints
// events/s), then answers the overview's two windows — all time, or since a time inside an hour
// (its partial first hour from the time index), and the last 24 hours — --queries times each from
// the view, and prints p50 and p99 per window in µs. A log of the same shape in --dir is reused.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "processors/replay.h"
#include "projections/insights.h"
#include "projections/tables.h"
#include "schemas/event.h"
#include "schemas/json_writer.h"
#include "storage/segment_log.h"

using namespace voxbase;

namespace {

constexpr int64_t kNow = 1767225600000;  // 2026-01-01 00:00 UTC
constexpr char kApp[] = "app_0123456789abcdef";

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  const std::string dir = args.count("--dir") ? args["--dir"] : "/tmp/voxbase-insights-bench";
  const int64_t n = args.count("--conversations") ? std::stoll(args["--conversations"]) : 10000;
  const int64_t days = args.count("--days") ? std::stoll(args["--days"]) : 30;
  const int queries = args.count("--queries") ? std::stoi(args["--queries"]) : 20000;
  const std::string log_dir = dir + "/log-" + std::to_string(n) + "x" + std::to_string(days);

  SegmentLogOptions options;
  options.dir = log_dir;
  options.fsync = FsyncPolicy::kNone;
  options.max_queued_bytes = 256ull << 20;
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  const int64_t span = days * 24 * 3600 * 1000;
  if ((*log)->EndOffsets().value()[0] == 0) {
    std::atomic<int64_t> outstanding{0}, failed{0};
    for (int64_t i = 0; i < n; ++i) {
      const int64_t started = kNow - span + span / n * i;
      JsonWriter w;
      w.BeginObject().Field("sessionId", "s" + std::to_string(i)).Field("startedAt", started);
      switch (i % 3) {
        case 0:
          w.Field("status", "resolved").Field("endedAt", started + 30000 + i % 600000);
          break;
        case 1:
          w.Field("status", "abandoned");
          break;
        default:
          break;
      }
      w.EndObject();
      Event event{"evt_" + std::to_string(i),
                  EventType::kConversationSaved,
                  kApp,
                  started,
                  w.str(),
                  std::nullopt};
      std::string record = EncodeEvent(event);
      while (outstanding > 64 << 20) std::this_thread::sleep_for(std::chrono::microseconds(200));
      outstanding += static_cast<int64_t>(record.size());
      const auto size = static_cast<int64_t>(record.size());
      (*log)->Append(kApp, std::move(record), [&outstanding, &failed, size](Result<LogPosition> p) {
        if (!p.ok()) ++failed;
        outstanding -= size;
      });
    }
    while (outstanding > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (failed > 0) {
      std::fprintf(stderr, "%lld appends failed\n", static_cast<long long>(failed.load()));
      return 1;
    }
  }

  const std::string target = dir + "/projections-" + std::to_string(n);
  std::filesystem::remove_all(target);
  Result<ReplayReport> report = RebuildProjections(**log, target);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("replayed %lld conversation events in %.2fs: %.0f events/s\n",
              static_cast<long long>(report->events), report->seconds,
              static_cast<double>(report->events) / report->seconds);

  Result<std::unique_ptr<ProjectionStore>> store =
      ProjectionStore::Open(ProjectionStoreOptions(target));
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  InsightsView view(**store);
  struct Window {
    const char* name;
    std::optional<int64_t> since;
  };
  const Window windows[] = {
      {"all time", std::nullopt},
      {"since 7 days ago, 30 min into an hour", kNow - 7 * 86400000 + 1800000},
      {"last 24 h, 30 min into an hour", kNow - 86400000 + 1800000}};
  for (const Window& window : windows) {
    std::vector<double> us;
    us.reserve(static_cast<size_t>(queries));
    int64_t started = 0;
    for (int q = 0; q < queries; ++q) {
      auto t0 = std::chrono::steady_clock::now();
      Result<InsightCounters> c = view.Window(kApp, window.since);
      auto t1 = std::chrono::steady_clock::now();
      if (!c.ok()) {
        std::fprintf(stderr, "%s\n", c.status().ToString().c_str());
        return 1;
      }
      started = Counter(*c, "conversations.started");
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::printf("%lld conversations, %s (%lld in the window): p50 %.1f us, p99 %.1f us\n",
                static_cast<long long>(n), window.name, static_cast<long long>(started),
                Percentile(us, 0.5), Percentile(us, 0.99));
  }
  store->reset();
  std::filesystem::remove_all(target);
  return 0;
}
