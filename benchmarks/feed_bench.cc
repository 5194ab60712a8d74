// voxbase_feed_bench: what the applied feed costs the runner, with a subscriber that reads, one
// that never reads (it is dropped and sent a gap), or none.
//
//   voxbase_feed_bench --dir /tmp/feed-bench --events 200000 --subscriber none|stalled|reading
//
// Writes --events events of the tables that follow each other (conversations saved, handoffs
// created, claimed and resolved, ratings, experiment assignments) into an embedded log under
// <dir>/log (reused when it has that many records; `voxbase replay --data-dir <dir>` replays the
// same log), then folds it into a fresh store with one ProcessorRunner as the server does (the
// tables processor, CatchUp) and prints events/s.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "processors/applied_feed.h"
#include "processors/catalogue.h"
#include "processors/runner.h"
#include "processors/tables_processor.h"
#include "projections/tables.h"
#include "schemas/event.h"
#include "storage/segment_log.h"

using namespace voxbase;

namespace {

constexpr char kApp[] = "app_0123456789abcdef";

// The i-th event of the mix.
Event MixEvent(int64_t i) {
  const std::string session = "s" + std::to_string(i / 8);
  const std::string handoff = "ho_" + std::to_string(i / 8);
  std::string payload;
  EventType type = EventType::kConversationSaved;
  switch (i % 8) {
    case 0:
      type = EventType::kExperimentAssigned;
      payload = R"({"experimentId":"exp_1","variantId":")" + std::string(i % 16 ? "a" : "b") +
                R"(","sessionId":")" + session + R"("})";
      break;
    case 1:
    case 2:
    case 3:
      payload = R"({"sessionId":")" + session +
                R"(","status":"active","messages":[{"role":"user","content":"where is my order )" +
                std::to_string(i) + R"("}]})";
      break;
    case 4:
      type = EventType::kHandoffCreated;
      payload = R"({"handoffId":")" + handoff + R"(","sessionId":")" + session +
                R"(","reason":"asked","priority":"normal","aiSummary":"","transcript":[]})";
      break;
    case 5:
    case 6:
      type = EventType::kHandoffMoved;
      payload = R"({"handoffId":")" + handoff +
                R"(","agentId":"ag","notes":"","resolution":"ok",)" + R"("action":")" +
                (i % 8 == 5 ? "claim" : "resolve") + R"("})";
      break;
    default:
      type = EventType::kCsatRated;
      payload = R"({"sessionId":")" + session + R"(","rating":4,"comment":""})";
  }
  return Event{"evt_" + std::to_string(i), type, kApp, 1700000000000 + i, payload, std::nullopt};
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  const std::string dir = args.count("--dir") ? args["--dir"] : "/tmp/voxbase-feed-bench";
  const int64_t events = args.count("--events") ? std::stoll(args["--events"]) : 200000;
  const std::string subscriber = args.count("--subscriber") ? args["--subscriber"] : "none";
  if (subscriber != "none" && subscriber != "stalled" && subscriber != "reading") {
    std::fprintf(stderr, "--subscriber is none, stalled or reading\n");
    return 1;
  }
  SegmentLogOptions options;
  options.dir = dir + "/log";
  options.fsync = FsyncPolicy::kNone;
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  const int64_t have = (*log)->EndOffsets().value()[0];
  if (have != 0 && have != events + 1) {
    std::fprintf(stderr, "%s holds %lld records, not %lld; remove it\n", options.dir.c_str(),
                 static_cast<long long>(have), static_cast<long long>(events + 1));
    return 1;
  }
  if (have == 0) {
    Event experiment{
        "evt_exp",
        EventType::kExperimentCreated,
        kApp,
        1700000000000,
        R"({"experimentId":"exp_1","name":"x","variants":[{"id":"a","weight":1,"config":null},{"id":"b","weight":1,"config":null}]})",
        std::nullopt};
    if (!(*log)->AppendAndWait("app", EncodeEvent(experiment)).ok()) return 1;
    std::atomic<int64_t> failed{0};
    for (int64_t i = 0; i < events; ++i) {
      if (i % 1000 == 999) {  // now and then, wait: the log's queue stays short
        if (!(*log)->AppendAndWait("app", EncodeEvent(MixEvent(i))).ok()) ++failed;
        continue;
      }
      (*log)->Append("app", EncodeEvent(MixEvent(i)), [&failed](Result<LogPosition> p) {
        if (!p.ok()) ++failed;
      });
    }
    if (failed > 0 || (*log)->EndOffsets().value()[0] != events + 1) {
      std::fprintf(stderr, "the log holds %lld of %lld records\n",
                   static_cast<long long>((*log)->EndOffsets().value()[0]),
                   static_cast<long long>(events + 1));
      return 1;
    }
  }

  const std::string store_dir = dir + "/projections-" + subscriber;
  std::filesystem::remove_all(store_dir);
  StoreOptions store_options = ProjectionStoreOptions(store_dir);
  store_options.bulk_load = true;  // as a replay opens it
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  AppliedFeed feed;
  std::unique_ptr<AppliedFeed::Subscription> subscription;
  if (subscriber != "none") subscription = feed.Subscribe(subscriber, 1024);
  std::atomic<bool> done{false};
  std::thread reading;
  if (subscriber == "reading") {
    reading = std::thread([&] {
      while (!done) subscription->Next(std::chrono::milliseconds(100));
    });
  }
  TablesProcessor tables(TableFolds().value());
  RunnerOptions runner_options;
  runner_options.feed = &feed;
  ProcessorRunner runner(**log, **store, tables, nullptr, nullptr, runner_options);
  auto started = std::chrono::steady_clock::now();
  Status status = runner.CatchUp();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  done = true;
  if (subscription) subscription->Cancel();
  if (reading.joinable()) reading.join();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  std::printf(
      "subscriber %s: applied %lld events in %.2fs, %.0f events/s (delivered %llu, "
      "dropped %llu)\n",
      subscriber.c_str(), static_cast<long long>(events + 1), seconds,
      static_cast<double>(events + 1) / seconds,
      static_cast<unsigned long long>(subscription ? subscription->delivered() : 0),
      static_cast<unsigned long long>(subscription ? subscription->dropped() : 0));
  store->reset();
  std::filesystem::remove_all(store_dir);
  return 0;
}
