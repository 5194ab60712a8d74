// voxbase: the command-line entry point. Subcommands:
//   serve      run the server on a data directory
//   replay     rebuild every projection from the log and swap it in
//   checksum   print a digest of all projections (last line)
//   seed-app   create an app (through a running server, or straight onto the log)
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "api/cors.h"
#include "api/flags.h"
#include "api/http_client.h"
#include "api/node.h"
#include "api/routes.h"
#include "api/server.h"
#include "ingest/apps.h"
#include "processors/catalogue.h"
#include "processors/replay.h"
#include "processors/runner.h"
#include "processors/snapshots.h"
#include "projections/apps.h"
#include "projections/checksum.h"
#include "projections/tables.h"
#include "schemas/clock.h"
#include "storage/kafka_mock_cluster.h"
#include "storage/segment_log.h"
#include "storage/store.h"

namespace voxbase {
namespace {

// The commands; each one's flags come from the flag table (api/flag_table.cc).
struct CommandInfo {
  const char* name;
  uint32_t bit;  // FlagCommand; 0 for a command without flags
  const char* synopsis;
};

// clang-format off
constexpr CommandInfo kCommands[] = {
    {"serve", kServeCommand, "run the server"},
    {"replay", kReplayCommand, "rebuild all projections (server stopped): from offset 0 of the log, or from the\n"
                              "            newest snapshot once retention removed the log's start"},
    {"snapshot", kSnapshotCommand, "a snapshot of the projections (server stopped), then prune and trim the log"},
    {"checksum", kChecksumCommand, "digest of all projections, printed as the last line"},
    {"routes", 0, "every route with the scope that may call it: method, path, scope (tab-separated)"},
    {"repair", kRepairCommand, "cut a damaged embedded log at its first bad record, after saying what that\n"
                              "            drops (server stopped); then run replay"},
    {"seed-app", kSeedAppCommand, "'<json>' creates an app from {slug, name, secret, modelId, replyAsAudio,\n"
                                  "            systemPrompt}: through the running server at --url (VOXBASE_ADMIN_TOKEN), or,\n"
                                  "            when no server holds the data dir, straight onto its log"},
    {"dev-kafka", kDevKafkaCommand, "a mock Kafka cluster (librdkafka's) for tests and local play; prints its\n"
                                    "            bootstrap servers on the first line; runs until SIGINT/SIGTERM"},
};
// clang-format on

std::string Usage() {
  std::string usage = "usage: voxbase <command> [flags]\n\ncommands:\n";
  for (const CommandInfo& c : kCommands) {
    std::string name = c.name;
    name.resize(10, ' ');
    usage += "  " + name + c.synopsis + "\n";
    if (c.bit != 0) usage += DescribeFlags(c.bit);
  }
  usage +=
      "\nEvery flag can also come from the environment: --data-dir is VOXBASE_DATA_DIR, and so "
      "on.\n"
      "serve also reads OPENAI_API_KEY OPENAI_BASE_URL OPENAI_REALTIME_MODEL "
      "OPENAI_REALTIME_VOICE\n"
      "GEMINI_API_KEY GEMINI_BASE_URL LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_URL "
      "CLIENT_ORIGIN,\n"
      "and opens the admin API when VOXBASE_ADMIN_TOKEN is set.\n";
  return usage;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "voxbase: %s\n", status.ToString().c_str());
  return 1;
}

Result<LogConfig> LogConfigFromFlags(const Flags& flags) {
  LogConfig config;
  std::string backend = flags.Get("log");
  if (backend == "kafka") {
    config.backend = LogConfig::Backend::kKafka;
  } else if (backend != "embedded") {
    return InvalidArgument("--log must be embedded or kafka, not '" + backend + "'");
  }
  Result<FsyncPolicy> fsync = ParseFsyncPolicy(flags.Get("fsync"));
  if (!fsync.ok()) return fsync.status();
  config.fsync = *fsync;
  Result<int64_t> interval = flags.GetInt("fsync-interval-ms");
  Result<int64_t> partitions = flags.GetInt("kafka-partitions");
  Result<int64_t> replication = flags.GetInt("kafka-replication");
  Result<int64_t> segment_bytes = flags.GetInt("segment-bytes");
  Result<int64_t> preallocate_mb = flags.GetInt("log-preallocate-mb");
  for (const auto* r : {&interval, &partitions, &replication, &segment_bytes, &preallocate_mb}) {
    if (!r->ok()) return r->status();
  }
  config.segment_bytes = static_cast<uint64_t>(*segment_bytes);
  config.preallocate_bytes = static_cast<uint64_t>(*preallocate_mb) << 20;
  config.fsync_interval = std::chrono::milliseconds(*interval);
  config.kafka.brokers = flags.Get("kafka-brokers");
  config.kafka.topic = flags.Get("kafka-topic");
  config.kafka.partitions = static_cast<int>(*partitions);
  config.kafka.replication = static_cast<int>(*replication);
  if (config.backend == LogConfig::Backend::kKafka && config.kafka.brokers.empty()) {
    return InvalidArgument("--log kafka needs --kafka-brokers host:port[,host:port]");
  }
  return config;
}

std::string DescribeLog(const LogConfig& config) {
  if (config.backend == LogConfig::Backend::kKafka) {
    return "kafka " + config.kafka.brokers + " topic " + config.kafka.topic;
  }
  return "embedded log, fsync " + std::string(FsyncPolicyName(config.fsync));
}

Result<RetentionPolicy> RetentionFromFlags(const Flags& flags, const LogConfig& log) {
  RetentionPolicy policy;
  Result<int64_t> keep = flags.GetInt("keep-snapshots");
  if (!keep.ok()) return keep.status();
  policy.keep_snapshots = static_cast<size_t>(*keep);
  Result<RetentionPolicy::Log> retention = ParseLogRetention(flags.Get("log-retention"));
  if (!retention.ok()) return retention.status();
  policy.log = *retention;
  policy.archive_dir = flags.Get("log-archive-dir");
  if (policy.log == RetentionPolicy::Log::kArchive && policy.archive_dir.empty()) {
    return InvalidArgument("--log-retention archive needs --log-archive-dir");
  }
  if (policy.log != RetentionPolicy::Log::kKeep && log.backend == LogConfig::Backend::kKafka) {
    return InvalidArgument(
        "--log-retention is for the embedded log; on Kafka the topic's retention.ms and "
        "retention.bytes decide (see ops/kafka.md)");
  }
  return policy;
}

constexpr size_t kMinAdminTokenBytes = 16;

int Serve(const Flags& flags) {
  NodeOptions o;
  o.data_dir = flags.Get("data-dir");
  Result<LogConfig> log = LogConfigFromFlags(flags);
  if (!log.ok()) return Fail(log.status());
  o.log = *log;
  Result<int64_t> port = flags.GetInt("port");
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  Result<int64_t> threads = flags.GetInt("threads", cores);
  Result<int64_t> body = flags.GetInt("max-body-bytes");
  Result<int64_t> apply = flags.GetInt("apply-timeout-ms");
  Result<int64_t> connections = flags.GetInt("max-connections");
  for (const auto* r : {&port, &threads, &body, &apply, &connections}) {
    if (!r->ok()) return Fail(r->status());
  }
  o.http.port = static_cast<uint16_t>(*port);
  o.http.bind = flags.Get("bind");
  o.http.threads = static_cast<int>(*threads);
  o.http.max_body_bytes = static_cast<uint64_t>(*body);
  o.apply_timeout = std::chrono::milliseconds(*apply);
  o.http.max_connections = FitConnectionsToFileLimit(*connections);
  if (o.http.max_connections < *connections) {
    std::fprintf(stderr,
                 "voxbase: the file-descriptor limit fits %lld connections, not %lld: "
                 "--max-connections lowered (raise `ulimit -n` for more)\n",
                 static_cast<long long>(o.http.max_connections),
                 static_cast<long long>(*connections));
  }
  Result<int64_t> per_client =
      flags.GetInt("max-connections-per-client", std::max<int64_t>(1, *connections / 4));
  Result<int64_t> header_timeout = flags.GetInt("header-timeout-ms");
  Result<int64_t> idle_timeout = flags.GetInt("idle-timeout-ms");
  for (const auto* r : {&per_client, &header_timeout, &idle_timeout}) {
    if (!r->ok()) return Fail(r->status());
  }
  o.http.max_connections_per_client = *per_client;
  o.http.header_timeout = std::chrono::milliseconds(*header_timeout);
  o.http.idle_timeout = std::chrono::milliseconds(*idle_timeout);
  o.admin_token = flags.Get("admin-token");
  if (const std::string file = flags.Get("admin-token-file"); !file.empty()) {
    if (!o.admin_token.empty()) {
      return Fail(
          InvalidArgument("give the admin token once: --admin-token-file or "
                          "VOXBASE_ADMIN_TOKEN, not both"));
    }
    std::ifstream in(file);
    if (!std::getline(in, o.admin_token)) {
      return Fail(InvalidArgument("--admin-token-file: cannot read a line from " + file));
    }
    while (!o.admin_token.empty() && std::isspace(static_cast<unsigned char>(o.admin_token.back())))
      o.admin_token.pop_back();
  }
  if (!o.admin_token.empty() && o.admin_token.size() < kMinAdminTokenBytes) {
    return Fail(InvalidArgument("VOXBASE_ADMIN_TOKEN (--admin-token) must be at least " +
                                std::to_string(kMinAdminTokenBytes) +
                                " characters; it opens the admin API"));
  }
  Result<int64_t> token_rate = flags.GetInt("token-rate-per-minute");
  Result<int64_t> token_burst = flags.GetInt("token-burst");
  Result<int64_t> provider_timeout = flags.GetInt("provider-timeout-ms");
  Result<int64_t> livekit_ttl = flags.GetInt("livekit-token-ttl-s");
  Result<int64_t> openai_ttl = flags.GetInt("openai-secret-ttl-s");
  for (const auto* r : {&token_rate, &token_burst, &provider_timeout, &livekit_ttl, &openai_ttl}) {
    if (!r->ok()) return Fail(r->status());
  }
  o.token_rate_per_minute = static_cast<double>(*token_rate);
  o.token_burst = static_cast<double>(*token_burst);
  Result<int64_t> write_rate = flags.GetInt("app-write-rate");
  Result<int64_t> write_burst = flags.GetInt("app-write-burst");
  for (const auto* r : {&write_rate, &write_burst}) {
    if (!r->ok()) return Fail(r->status());
  }
  o.app_write_rate = static_cast<double>(*write_rate);
  o.app_write_burst = static_cast<double>(*write_burst);
  o.metrics_per_app = flags.GetBool("metrics-per-app");
  o.legacy_session_tokens = flags.GetBool("legacy-session-tokens");
  o.allow_private_tool_endpoints = flags.GetBool("allow-private-tool-endpoints");
  // Keys come from the environment only, so they never show in a process listing.
  auto env = [](const char* name, std::string fallback = {}) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::string(v) : fallback;
  };
  ProviderConfig& pc = o.providers;
  pc.openai_api_key = env("OPENAI_API_KEY");
  pc.openai_base_url = env("OPENAI_BASE_URL", pc.openai_base_url);
  pc.openai_model = env("OPENAI_REALTIME_MODEL", pc.openai_model);
  pc.openai_voice = env("OPENAI_REALTIME_VOICE", pc.openai_voice);
  pc.openai_secret_ttl_s = *openai_ttl;
  pc.gemini_api_key = env("GEMINI_API_KEY");
  pc.gemini_base_url = env("GEMINI_BASE_URL", pc.gemini_base_url);
  pc.livekit_api_key = env("LIVEKIT_API_KEY");
  pc.livekit_api_secret = env("LIVEKIT_API_SECRET");
  pc.livekit_url = env("LIVEKIT_URL");
  pc.livekit_token_ttl_s = *livekit_ttl;
  pc.timeout = std::chrono::milliseconds(*provider_timeout);
  o.client_origins = SplitOrigins(env("CLIENT_ORIGIN"));
  o.embedder.default_embedder = flags.Get("embedder");
  if (!IsEmbedderName(o.embedder.default_embedder)) {
    return Fail(InvalidArgument("--embedder must be local, openai or gemini"));
  }
  o.embedder.openai_model = flags.Get("openai-embedding-model");
  o.embedder.gemini_model = flags.Get("gemini-embedding-model");
  Result<int64_t> openai_dims = flags.GetInt("openai-embedding-dimensions");
  Result<int64_t> hnsw_threshold = flags.GetInt("hnsw-threshold");
  if (!openai_dims.ok()) return Fail(openai_dims.status());
  if (!hnsw_threshold.ok()) return Fail(hnsw_threshold.status());
  o.embedder.openai_dimensions = static_cast<size_t>(*openai_dims);
  o.knowledge.hnsw_threshold = static_cast<size_t>(*hnsw_threshold);
  Result<RetentionPolicy> retention = RetentionFromFlags(flags, o.log);
  if (!retention.ok()) return Fail(retention.status());
  o.retention = *retention;
  // With a log retention, snapshots are what lets segments go: hourly unless told otherwise.
  const int64_t default_every = o.retention.log == RetentionPolicy::Log::kKeep ? 0 : 3600;
  Result<int64_t> every = flags.GetInt("snapshot-every-s", default_every);
  Result<int64_t> min_free = flags.GetInt("min-free-bytes");
  Result<int64_t> block_cache_mb = flags.GetInt("block-cache-mb");
  Result<int64_t> memtable_mb = flags.GetInt("memtable-mb");
  if (!every.ok()) return Fail(every.status());
  if (!min_free.ok()) return Fail(min_free.status());
  if (!block_cache_mb.ok()) return Fail(block_cache_mb.status());
  if (!memtable_mb.ok()) return Fail(memtable_mb.status());
  o.block_cache_bytes = static_cast<uint64_t>(*block_cache_mb) << 20;
  Result<int64_t> flush_every = flags.GetInt("flush-every-records");
  if (!flush_every.ok()) return Fail(flush_every.status());
  o.flush_every_records = *flush_every;
  o.memtable_bytes = static_cast<uint64_t>(*memtable_mb) << 20;
  o.snapshot_every = std::chrono::seconds(*every);
  o.min_free_bytes = static_cast<uint64_t>(*min_free);
  const std::string token_key_hex = flags.Get("token-key");
  if (!token_key_hex.empty() &&
      (!HexDecode(token_key_hex, &o.token_key) || o.token_key.size() < 16)) {
    return Fail(InvalidArgument("--token-key must be at least 32 hex digits"));
  }

  // Signals are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::unique_ptr<Node>> node = Node::Start(o);
  if (!node.ok()) return Fail(node.status());
  std::printf("voxbase listening on http://%s:%u (data in %s, %s)\n", o.http.bind.c_str(),
              (*node)->port(), o.data_dir.c_str(), DescribeLog(o.log).c_str());
  if (o.admin_token.empty()) {
    std::printf("admin API off: set VOXBASE_ADMIN_TOKEN to create apps over HTTP\n");
  }
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "voxbase: signal %d, stopping\n", signal);
  (*node)->Stop();
  return 0;
}

int Replay(const Flags& flags) {
  std::string data_dir = flags.Get("data-dir");
  Result<LogConfig> config = LogConfigFromFlags(flags);
  if (!config.ok()) return Fail(config.status());
  Result<std::unique_ptr<EventLog>> log = OpenEventLog(*config, data_dir, nullptr);
  if (!log.ok()) return Fail(log.status());
  // From offset 0 while the log still starts there (unless --from-snapshot); otherwise from the
  // newest snapshot the log covers.
  Result<std::vector<int64_t>> starts = (*log)->StartOffsets();
  if (!starts.ok()) return Fail(starts.status());
  const bool log_whole = CoversLogStart({}, *starts);
  std::optional<SnapshotInfo> from;
  if (!log_whole || flags.GetBool("from-snapshot")) {
    Result<std::vector<int64_t>> ends = (*log)->EndOffsets();
    if (!ends.ok()) return Fail(ends.status());
    Result<std::optional<SnapshotInfo>> usable =
        NewestUsableSnapshot(SnapshotsDirectory(data_dir), *starts, *ends);
    if (!usable.ok()) return Fail(usable.status());
    from = std::move(*usable);
    if (!from) {
      return Fail(Status(
          StatusCode::kFailedPrecondition,
          log_whole ? "--from-snapshot: there is no snapshot in " + SnapshotsDirectory(data_dir)
                    : "the event log starts at offset " + std::to_string((*starts)[0]) +
                          " (retention removed the rest) and no snapshot in " +
                          SnapshotsDirectory(data_dir) +
                          " covers it: the projections cannot be rebuilt"));
    }
    std::fprintf(stderr, "replay: from %s (log offset %lld)\n", from->path.c_str(),
                 static_cast<long long>(from->positions.empty() ? 0 : from->positions[0]));
  }
  const std::string target = ProjectionsDirectory(data_dir) + ".rebuild";
  auto last = std::chrono::steady_clock::now();
  Result<ReplayReport> report = RebuildProjections(
      **log, target,
      [&last](int64_t applied, int64_t end) {
        auto now = std::chrono::steady_clock::now();
        if (now - last > std::chrono::seconds(1) || applied == end) {
          std::fprintf(stderr, "replay: %lld / %lld events\n", static_cast<long long>(applied),
                       static_cast<long long>(end));
          last = now;
        }
      },
      from ? &*from : nullptr);
  if (!report.ok()) return Fail(report.status());
  Status swapped = SwapInProjections(target, ProjectionsDirectory(data_dir));
  if (!swapped.ok()) return Fail(swapped);
  std::fprintf(stderr, "replay: rebuilt %lld events in %.2fs (%.0f events/s)\n",
               static_cast<long long>(report->events), report->seconds,
               report->seconds > 0 ? static_cast<double>(report->events) / report->seconds : 0.0);
  return 0;
}

// A snapshot with the server stopped (a running server takes them on POST /api/admin/snapshots
// or every --snapshot-every-s), then the retention that follows.
int Snapshot(const Flags& flags) {
  const std::string data_dir = flags.Get("data-dir");
  Result<LogConfig> config = LogConfigFromFlags(flags);
  if (!config.ok()) return Fail(config.status());
  Result<RetentionPolicy> policy = RetentionFromFlags(flags, *config);
  if (!policy.ok()) return Fail(policy.status());
  Result<std::unique_ptr<EventLog>> log = OpenEventLog(*config, data_dir, nullptr);
  if (!log.ok()) {
    if (log.status().code() == StatusCode::kFailedPrecondition) {
      return Fail(Status(StatusCode::kFailedPrecondition,
                         log.status().message() + ": a running server takes snapshots itself: POST "
                                                  "/api/admin/snapshots, or --snapshot-every-s"));
    }
    return Fail(log.status());
  }
  Status swapped = FinishInterruptedSwap(ProjectionsDirectory(data_dir));
  if (!swapped.ok()) return Fail(swapped);
  if (!std::filesystem::exists(ProjectionsDirectory(data_dir))) {
    return Fail(NotFound("no projections in " + data_dir + " to snapshot"));
  }
  Result<std::unique_ptr<ProjectionStore>> store =
      ProjectionStore::Open(ProjectionStoreOptions(ProjectionsDirectory(data_dir)));
  if (!store.ok()) return Fail(store.status());
  Result<SnapshotRun> run =
      SnapshotWithRetention(**store, dynamic_cast<SegmentLog*>(log->get()), *policy,
                            SnapshotsDirectory(data_dir), SystemClock::Instance().NowMillis());
  if (!run.ok()) return Fail(run.status());
  std::printf(
      "snapshot %s covers the log below offset %lld; %zu snapshots kept",
      run->snapshot.path.c_str(),
      static_cast<long long>(run->snapshot.positions.empty() ? 0 : run->snapshot.positions[0]),
      run->kept.size());
  if (run->trimmed.segments > 0) {
    std::printf("; log retention (%s) removed %lld segments (%lld records), the log starts at %lld",
                std::string(LogRetentionName(policy->log)).c_str(),
                static_cast<long long>(run->trimmed.segments),
                static_cast<long long>(run->trimmed.records),
                static_cast<long long>(run->trimmed.start_offset));
  }
  std::printf("\n");
  return 0;
}

// Cuts a damaged embedded log at its first bad record, after saying what that drops and (unless
// --yes) being told to go ahead on stdin.
int Repair(const Flags& flags) {
  const std::string data_dir = flags.Get("data-dir");
  SegmentLogOptions probe_options;
  probe_options.dir = LogDirectory(data_dir);
  Result<std::unique_ptr<SegmentLog>> healthy = SegmentLog::Open(probe_options);
  if (healthy.ok()) {
    std::printf("the event log in %s is not damaged; nothing to repair\n",
                probe_options.dir.c_str());
    return 0;
  }
  if (healthy.status().code() != StatusCode::kCorruption) return Fail(healthy.status());
  std::printf("%s\n", healthy.status().message().c_str());
  if (!flags.GetBool("yes")) {
    std::printf(
        "Cut the log there, dropping the damaged record and everything after it? "
        "Type yes: ");
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer) || answer != "yes") {
      std::printf("nothing was changed\n");
      return 1;
    }
  }
  SegmentLogOptions options = probe_options;
  options.repair = true;
  Result<std::unique_ptr<SegmentLog>> repaired = SegmentLog::Open(options);
  if (!repaired.ok()) return Fail(repaired.status());
  const SegmentLog::RepairReport& report = (*repaired)->repair();
  std::printf(
      "cut the log at offset %lld, dropping %lld records after the damaged one (%s).\n"
      "The projections may hold events the log no longer has: run `voxbase replay "
      "--data-dir %s` before serving.\n",
      static_cast<long long>(report.cut_at_offset), static_cast<long long>(report.dropped_records),
      report.where.c_str(), data_dir.c_str());
  return 0;
}

int Checksum(const Flags& flags) {
  Status swapped = FinishInterruptedSwap(ProjectionsDirectory(flags.Get("data-dir")));
  if (!swapped.ok()) return Fail(swapped);
  StoreOptions options = ProjectionStoreOptions(ProjectionsDirectory(flags.Get("data-dir")));
  options.read_only = true;
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(options);
  if (!store.ok()) return Fail(store.status());
  Result<ProjectionDigest> digest = ChecksumProjections(**store);
  if (!digest.ok()) return Fail(digest.status());
  std::fprintf(stderr, "checksum: %llu rows\n", static_cast<unsigned long long>(digest->rows));
  std::printf("%s\n", digest->hex.c_str());
  return 0;
}

int SeedApp(const Flags& flags) {
  if (flags.positional().size() != 1) {
    return Fail(InvalidArgument("seed-app takes one JSON argument"));
  }
  const std::string& json = flags.positional()[0];
  std::string data_dir = flags.Get("data-dir");
  Result<std::unique_ptr<EventLog>> log = OpenEventLog(LogConfig{}, data_dir, nullptr);
  if (!log.ok() && log.status().code() != StatusCode::kFailedPrecondition) {
    return Fail(log.status());
  }
  if (!log.ok()) {
    // A server holds the data dir: go through its admin API.
    std::string host;
    uint16_t port = 0;
    std::string url = flags.Get("url");
    if (!ParseHttpUrl(url, &host, &port)) return Fail(InvalidArgument("bad --url " + url));
    std::string token = flags.Get("admin-token");
    BlockingHttpClient client(host, port);
    Result<HttpResponse> r =
        client.Request("POST", "/api/admin/apps", json, {{"Authorization", "Bearer " + token}});
    if (!r.ok()) return Fail(r.status());
    std::printf("%s\n", r->body.c_str());
    return r->status == 201 ? 0 : 1;
  }
  // No server holds the data dir: append to the log, then fold it into the projections as the
  // server would, and report whether this app is the one that owns the slug.
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  if (parser.parse(json).get(body)) return Fail(InvalidArgument("argument is not a JSON object"));
  IngestLimits limits;
  const std::string event_id = RandomIdSource::Instance().NewEventId();
  Result<Event> event =
      BuildAppCreated({nullptr, body, SystemClock::Instance().NowMillis(), &limits, event_id, {}});
  if (!event.ok()) return Fail(event.status());
  Result<LogPosition> at = (*log)->AppendAndWait(event->app_id, EncodeEvent(*event));
  if (!at.ok()) return Fail(at.status());
  StoreOptions store_options = ProjectionStoreOptions(ProjectionsDirectory(data_dir));
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(store_options);
  if (!store.ok()) return Fail(store.status());
  // The vector index lives in the server; a snapshot older than what this run applies is fed the
  // tail when the server next starts (processors/vectors_processor.h).
  KnowledgeIndex knowledge;
  Result<std::vector<std::unique_ptr<Processor>>> processors = MakeProcessors(knowledge);
  if (!processors.ok()) return Fail(processors.status());
  std::vector<Processor*> raw;
  for (auto& processor : *processors) raw.push_back(processor.get());
  ProcessorRunner runner(**log, **store, raw, nullptr, nullptr);
  Status caught_up = runner.CatchUp();
  if (!caught_up.ok()) return Fail(caught_up);
  Result<std::optional<AppRecord>> app = AppsView(**store).Get(event->app_id);
  if (!app.ok()) return Fail(app.status());
  if (!app->has_value()) {
    return Fail(Status(StatusCode::kAlreadyExists, "an app with that slug already exists"));
  }
  std::printf("{\"appId\":\"%s\",\"slug\":\"%s\"}\n", (*app)->app_id.c_str(), (*app)->slug.c_str());
  return 0;
}

// A mock Kafka cluster in this process until SIGINT or SIGTERM, whatever happens to stdin (so it
// runs under a supervisor or in the background). First line of stdout: the bootstrap servers.
// With --commands-on-stdin it also takes commands on stdin, one per line, each answered "ok" or
// "error: …":
//   broker-down ID | broker-up ID | leader PARTITION BROKER | produce-errors COUNT CODE |
//   pending-errors (answered "ok N": injected errors not yet hit) | poison PARTITION TEXT
void RunFaultCommands(KafkaMockCluster& cluster, const std::string& topic);

int DevKafka(const Flags& flags) {
  // Signals are taken by sigwait below, so block them before any thread starts (the mock
  // cluster's too: a SIGTERM that reached one of them used to kill the process outright).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Result<int64_t> brokers = flags.GetInt("brokers");
  Result<int64_t> partitions = flags.GetInt("partitions");
  if (!brokers.ok()) return Fail(brokers.status());
  if (!partitions.ok()) return Fail(partitions.status());
  std::string topic = flags.Get("kafka-topic");
  Result<std::unique_ptr<KafkaMockCluster>> cluster =
      KafkaMockCluster::Start(static_cast<int>(*brokers));
  if (!cluster.ok()) return Fail(cluster.status());
  Status created = (*cluster)->CreateTopic(topic, static_cast<int>(*partitions),
                                           static_cast<int>(std::min<int64_t>(*brokers, 3)));
  if (!created.ok()) return Fail(created);
  std::printf("%s\n", (*cluster)->bootstrap_servers().c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "dev-kafka: %lld brokers, topic %s with %lld partitions; it keeps the last 5 MiB "
               "of each partition only (librdkafka's mock, see ops/kafka.md)\n",
               static_cast<long long>(*brokers), topic.c_str(),
               static_cast<long long>(*partitions));
  std::thread commands;
  if (flags.GetBool("commands-on-stdin")) {
    commands = std::thread([&cluster, topic] { RunFaultCommands(**cluster, topic); });
    commands.detach();  // ends with the process; stdin may never close
  }
  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "dev-kafka: signal %d, stopping\n", signal);
  return 0;
}

void RunFaultCommands(KafkaMockCluster& cluster, const std::string& topic) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    Status status;
    if (command == "broker-down" || command == "broker-up") {
      int id = 0;
      words >> id;
      status = cluster.SetBrokerDown(id, command == "broker-down");
    } else if (command == "leader") {
      int partition = 0, broker = 0;
      words >> partition >> broker;
      status = cluster.SetPartitionLeader(topic, partition, broker);
    } else if (command == "produce-errors") {
      int count = 0, code = 0;
      words >> count >> code;
      status = cluster.PushProduceErrors(count, code);
    } else if (command == "pending-errors") {
      Result<size_t> pending = cluster.PendingProduceErrors();
      status = pending.status();
      if (pending.ok()) {
        std::printf("ok %zu\n", *pending);
        std::fflush(stdout);
        continue;
      }
    } else if (command == "poison") {
      int partition = 0;
      std::string text;
      words >> partition;
      std::getline(words >> std::ws, text);
      status = cluster.ProduceRaw(topic, partition, text);
    } else if (command.empty()) {
      continue;
    } else {
      status = InvalidArgument("unknown command " + command);
    }
    std::printf("%s\n", status.ok() ? "ok" : ("error: " + status.message()).c_str());
    std::fflush(stdout);
  }
}

// The route catalogue as the server builds it: what the scope test and the README's table check.
int PrintRoutes() {
  Router router;
  ApiContext api;
  AddOpsRoutes(router, OpsHooks{});
  AddApiRoutes(router, api);
  AddSnapshotRoutes(router, api, SnapshotHooks{});
  for (const Router::RouteInfo& r : router.Routes()) {
    std::printf("%s\t%s\t%.*s\n", r.method.c_str(), r.path.c_str(),
                static_cast<int>(AccessName(r.access).size()), AccessName(r.access).data());
  }
  return 0;
}

}  // namespace
}  // namespace voxbase

int main(int argc, char** argv) {
  using namespace voxbase;
  if (argc < 2 || std::string(argv[1]) == "help" || std::string(argv[1]) == "--help") {
    std::cout << Usage();
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << Usage();
      return 0;
    }
  }
  const CommandInfo* info = nullptr;
  for (const CommandInfo& c : kCommands) {
    if (command == c.name) info = &c;
  }
  if (info == nullptr) {
    std::cerr << "voxbase: unknown command '" << command << "'\n" << Usage();
    return 2;
  }
  Result<Flags> flags = Flags::Parse(args, info->bit);
  if (!flags.ok()) return Fail(flags.status());
  if (command == "routes") return PrintRoutes();
  if (command == "serve") return Serve(*flags);
  if (command == "replay") return Replay(*flags);
  if (command == "snapshot") return Snapshot(*flags);
  if (command == "checksum") return Checksum(*flags);
  if (command == "repair") return Repair(*flags);
  if (command == "dev-kafka") return DevKafka(*flags);
  return SeedApp(*flags);
}
