#include "api/node.h"

#include <fcntl.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "api/auth.h"
#include "api/business_metrics.h"
#include "api/quota_probe.h"
#include "api/routes.h"
#include "api/write_quota.h"
#include "ingest/secrets.h"
#include "ingest/submitter.h"
#include "processors/catalogue.h"
#include "processors/replay.h"
#include "processors/runner.h"
#include "processors/vectors_processor.h"
#include "projections/tables.h"
#include "storage/segment_log.h"
#include "storage/store.h"

namespace voxbase {
std::string LogDirectory(const std::string& data_dir) { return data_dir + "/log"; }
std::string ProjectionsDirectory(const std::string& data_dir) { return data_dir + "/projections"; }

Result<std::string> LoadOrCreateNodeId(const std::string& data_dir) {
  const std::string path = data_dir + "/node.id";
  std::ifstream in(path);
  std::string id;
  if (in && std::getline(in, id) && !id.empty()) return id;
  id = NewId("node_");
  std::ofstream out(path + ".tmp");
  out << id << "\n";
  out.close();
  if (!out || ::rename((path + ".tmp").c_str(), path.c_str()) != 0) {
    return IOError("cannot write " + path);
  }
  return id;
}

Result<std::string> LoadOrCreateTokenKey(const std::string& data_dir) {
  const std::string path = data_dir + "/token.key";
  std::ifstream in(path);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    std::string hex = text.str();
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
    std::string key;
    if (!HexDecode(hex, &key) || key.size() < 16) {
      return Corruption(path + " does not hold a hex key of at least 16 bytes");
    }
    return key;
  }
  std::string key = RandomBytes(32);
  const std::string hex = HexEncode(key) + "\n";
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return IOError("cannot create " + tmp);
  bool written =
      ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return IOError("cannot write " + path);
  }
  return key;
}

Result<std::unique_ptr<EventLog>> OpenEventLog(const LogConfig& config, const std::string& data_dir,
                                               LogProbe* probe) {
  if (config.backend == LogConfig::Backend::kKafka) {
    KafkaLogOptions options = config.kafka;
    options.probe = probe;
    Result<std::unique_ptr<KafkaLog>> log = KafkaLog::Open(options);
    if (!log.ok()) return log.status();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
  SegmentLogOptions options;
  options.dir = LogDirectory(data_dir);
  options.fsync = config.fsync;
  options.fsync_interval = config.fsync_interval;
  options.segment_bytes = config.segment_bytes;
  options.preallocate_bytes = config.preallocate_bytes;
  options.probe = probe;
  Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
  if (!log.ok()) return log.status();
  return std::unique_ptr<EventLog>(std::move(*log));
}

struct Node::Parts {
  NodeOptions options;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  LogProbe log_probe{*registry};
  ProcessorProbe processor_probe{*registry, "tables"};
  IngestProbe ingest_probe{*registry};
  HttpProbe http_probe{*registry};
  AppliedFeed feed{registry.get()};
  std::unique_ptr<QuotaProbe> quota_probe;
  std::unique_ptr<BusinessMetrics> business_metrics;
  std::unique_ptr<WriteQuota> write_quota;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<ProjectionStore> store;
  std::unique_ptr<KnowledgeIndex> knowledge;
  std::unique_ptr<Embedders> embedders;
  std::unique_ptr<AppliedWatermark> watermark;
  std::vector<std::unique_ptr<Processor>> processors;
  std::unique_ptr<ProcessorRunner> runner;
  std::unique_ptr<Submitter> submitter;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<HttpClient> http_client;
  std::unique_ptr<BlockingPool> blocking;
  std::unique_ptr<RateLimiter> token_limiter;
  SchemaCache schemas;
  GuardrailEngines guardrails;
  std::thread recovery;  // records executions interrupted by the last stop, once caught up
  std::mutex recovery_mu;
  // Wakes the recovery thread at each applied batch; guarded by recovery_mu, null once it is done.
  std::unique_ptr<AppliedFeed::Subscription> recovery_wake;
  std::atomic<bool> stopping{false};
  SegmentLog* segment_log = nullptr;  // the embedded log, for retention; null on Kafka
  std::mutex snapshot_mu;             // one snapshot at a time
  std::mutex timer_mu;
  std::condition_variable timer_cv;  // wakes the snapshot timer to stop
  std::thread snapshot_timer;
  prometheus::Gauge* log_start = nullptr;
  prometheus::Gauge* snapshot_position = nullptr;
  prometheus::Counter* snapshots_ok = nullptr;
  prometheus::Counter* snapshots_failed = nullptr;

  Result<SnapshotRun> Snapshot();
  ApiContext api;
  Router router;
  std::unique_ptr<HttpServer> http;
  uint16_t port = 0;
  bool stopped = false;
};

Result<SnapshotRun> Node::Parts::Snapshot() {
  std::lock_guard<std::mutex> lock(snapshot_mu);
  Result<SnapshotRun> run =
      SnapshotWithRetention(*store, segment_log, options.retention,
                            SnapshotsDirectory(options.data_dir), options.clock->NowMillis());
  if (!run.ok()) {
    snapshots_failed->Increment();
    return run;
  }
  snapshots_ok->Increment();
  if (!run->snapshot.positions.empty()) {
    snapshot_position->Set(static_cast<double>(run->snapshot.positions[0]));
  }
  if (run->trimmed.segments > 0) {
    log_start->Set(static_cast<double>(run->trimmed.start_offset));
    std::fprintf(stderr,
                 "voxbase: log retention (%s) removed %lld segments, %lld records; the log now "
                 "starts at offset %lld\n",
                 std::string(LogRetentionName(options.retention.log)).c_str(),
                 static_cast<long long>(run->trimmed.segments),
                 static_cast<long long>(run->trimmed.records),
                 static_cast<long long>(run->trimmed.start_offset));
  }
  return run;
}

namespace {

// Bytes free to this process on the filesystem holding `dir`; none when it cannot tell.
std::optional<uint64_t> FreeBytes(const std::string& dir) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

// Fails, naming the numbers, when the data directory's filesystem is too full to start on.
// This process's resident set in bytes (/proc/self/statm); none when it cannot tell.
std::optional<uint64_t> ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

Status CheckFreeSpace(const std::string& data_dir, uint64_t min_free_bytes) {
  std::optional<uint64_t> free_bytes = FreeBytes(data_dir);
  if (!free_bytes || *free_bytes >= min_free_bytes) return Status::Ok();  // or cannot tell: try
  return Status(StatusCode::kResourceExhausted,
                "only " + std::to_string(*free_bytes) + " bytes are free on the filesystem of " +
                    data_dir + "; starting needs at least " + std::to_string(min_free_bytes) +
                    " (--min-free-bytes). Nothing was changed: free some space and start again");
}

// A node without projections starts from the newest snapshot the log still covers, instead of
// replaying the whole log (or, once retention removed its start, instead of being unable to).
Status RestoreProjectionsIfMissing(const std::string& data_dir, const EventLog& log) {
  const std::string live = ProjectionsDirectory(data_dir);
  if (std::filesystem::exists(live) || !std::filesystem::exists(SnapshotsDirectory(data_dir))) {
    return Status::Ok();
  }
  Result<std::vector<int64_t>> starts = log.StartOffsets();
  if (!starts.ok()) return starts.status();
  Result<std::vector<int64_t>> ends = log.EndOffsets();
  if (!ends.ok()) return ends.status();
  Result<std::optional<SnapshotInfo>> usable =
      NewestUsableSnapshot(SnapshotsDirectory(data_dir), *starts, *ends);
  if (!usable.ok()) return usable.status();
  if (!*usable) return Status::Ok();
  const std::string restoring = live + ".restore";
  VOX_RETURN_IF_ERROR(RestoreSnapshot(**usable, restoring));
  std::error_code ec;
  std::filesystem::rename(restoring, live, ec);
  if (ec) return IOError("cannot move " + restoring + " into place: " + ec.message());
  std::fprintf(stderr, "voxbase: no projections: restored them from %s\n", (*usable)->path.c_str());
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return IOError("cannot create data dir " + options.data_dir + ": " + ec.message());
  VOX_RETURN_IF_ERROR(CheckFreeSpace(options.data_dir, options.min_free_bytes));

  auto p = std::make_unique<Parts>();
  p->options = std::move(options);
  const NodeOptions& o = p->options;

  Result<std::unique_ptr<EventLog>> log = OpenEventLog(o.log, o.data_dir, &p->log_probe);
  if (!log.ok()) return log.status();
  p->log = std::move(*log);
  p->segment_log = dynamic_cast<SegmentLog*>(p->log.get());
  Result<std::vector<int64_t>> log_start = p->log->StartOffsets();
  if (!log_start.ok()) {
    std::fprintf(stderr, "voxbase: the log's start is unknown (%s); assuming offset 0\n",
                 log_start.status().ToString().c_str());
    log_start = std::vector<int64_t>{};
  }

  VOX_RETURN_IF_ERROR(FinishInterruptedSwap(ProjectionsDirectory(o.data_dir)));
  VOX_RETURN_IF_ERROR(RestoreProjectionsIfMissing(o.data_dir, *p->log));
  StoreOptions store_options = ProjectionStoreOptions(ProjectionsDirectory(o.data_dir));
  store_options.block_cache_bytes = o.block_cache_bytes;
  store_options.memtable_bytes = o.memtable_bytes;
  Result<std::unique_ptr<ProjectionStore>> store = ProjectionStore::Open(store_options);
  if (!store.ok()) return store.status();
  p->store = std::move(*store);

  std::string token_key = o.token_key;
  if (token_key.empty()) {
    Result<std::string> loaded = LoadOrCreateTokenKey(o.data_dir);
    if (!loaded.ok()) return loaded.status();
    token_key = std::move(*loaded);
  }

  p->knowledge = std::make_unique<KnowledgeIndex>(o.knowledge);
  Result<IndexStart> index_start =
      PrepareKnowledgeIndex(*p->knowledge, *p->store,
                            KnowledgeSnapshotPath(ProjectionsDirectory(o.data_dir)), *log_start);
  if (!index_start.ok()) return index_start.status();
  if (!index_start->from_snapshot) {
    std::fprintf(stderr, "voxbase: knowledge index built from the projections (%s)\n",
                 index_start->why.c_str());
  }
  Result<std::vector<std::unique_ptr<Processor>>> processors = MakeProcessors(*p->knowledge);
  if (!processors.ok()) return processors.status();
  p->processors = std::move(*processors);
  std::vector<Processor*> raw_processors;
  for (auto& processor : p->processors) raw_processors.push_back(processor.get());
  p->watermark = std::make_unique<AppliedWatermark>(*o.clock);
  RunnerOptions runner_options;
  // Without a WAL, a restart after kill -9 applies again what came after the last flush: keep
  // that under about a second of apply (issue 33 measured up to 35 s, growing with uptime).
  runner_options.flush_every_records = o.flush_every_records;
  runner_options.feed = &p->feed;
  p->recovery_wake = p->feed.Subscribe("tool-recovery", 64);  // before the runner can catch up
  p->runner = std::make_unique<ProcessorRunner>(
      *p->log, *p->store, raw_processors, p->watermark.get(), &p->processor_probe, runner_options);
  VOX_RETURN_IF_ERROR(p->runner->Start());

  p->submitter = std::make_unique<Submitter>(*p->log, &p->ingest_probe);
  p->auth =
      std::make_unique<Authenticator>(*p->store, *o.clock, o.admin_token, o.legacy_session_tokens);
  if (o.legacy_session_tokens) {
    std::fprintf(stderr,
                 "voxbase: warning: --legacy-session-tokens: tokens minted without a role keep "
                 "app-wide rights (any session's data, lists); mint user tokens with a sessionId "
                 "and turn this off\n");
  }
  p->quota_probe = std::make_unique<QuotaProbe>(*p->registry, o.metrics_per_app);
  p->business_metrics = std::make_unique<BusinessMetrics>(*p->store, o.metrics_per_app);
  p->write_quota = std::make_unique<WriteQuota>(
      *o.clock, *p->store, WriteRate{o.app_write_rate, o.app_write_burst},
      [probe = p->quota_probe.get()](const std::string& app_id) { probe->OnRefused(app_id); });
  p->http = std::make_unique<HttpServer>(o.http, p->router, &p->http_probe);

  Parts* raw = p.get();
  p->api.store = p->store.get();
  p->api.submitter = p->submitter.get();
  p->api.watermark = p->watermark.get();
  p->api.clock = o.clock;
  p->api.ids = o.ids;
  p->api.token_key = std::move(token_key);
  p->api.auth = p->auth.get();
  p->http_client = NewCurlHttpClient();
  p->blocking = std::make_unique<BlockingPool>(o.outbound_threads,
                                               static_cast<size_t>(o.outbound_threads) * 64);
  p->token_limiter =
      std::make_unique<RateLimiter>(*o.clock, o.token_rate_per_minute, o.token_burst);
  p->api.http = p->http_client.get();
  p->api.blocking = p->blocking.get();
  p->api.token_limiter = p->token_limiter.get();
  p->api.write_quota = p->write_quota.get();
  p->api.providers = o.providers;
  p->api.client_origins = o.client_origins;
  p->api.allow_private_tool_endpoints = o.allow_private_tool_endpoints;
  p->api.schemas = &p->schemas;
  p->api.guardrails = &p->guardrails;
  p->embedders = std::make_unique<Embedders>(o.embedder, p->api.providers, p->http_client.get());
  p->api.embedders = p->embedders.get();
  p->api.knowledge = p->knowledge.get();
  Result<std::string> node_id = LoadOrCreateNodeId(o.data_dir);
  if (!node_id.ok()) return node_id.status();
  p->api.node_id = *node_id;
  p->api.limits = o.limits;
  p->api.apply_timeout = o.apply_timeout;

  // Whether the projections are current: what reads need.
  auto projections_current = [raw]() -> Status {
    Status stall = raw->runner->stall();
    if (!stall.ok())
      return Status(StatusCode::kUnavailable, "processor stopped: " + stall.message());
    if (!raw->runner->caught_up()) {
      return Status(StatusCode::kUnavailable, "catching up with the event log");
    }
    return Status::Ok();
  };
  OpsHooks hooks;
  // Ready: current projections and a log that can take writes (a full disk makes the node
  // unready, so a balancer sends writes elsewhere; reads are still answered).
  hooks.ready = [raw, projections_current]() -> Status {
    Status log_health = raw->log->Health();
    if (!log_health.ok()) return log_health;
    return projections_current();
  };
  prometheus::Gauge* free_bytes =
      &prometheus::BuildGauge()
           .Name("voxbase_data_dir_free_bytes")
           .Help("Bytes free to this process on the data directory's filesystem")
           .Register(*p->registry)
           .Add({});
  p->log_start = &prometheus::BuildGauge()
                      .Name("voxbase_log_start_offset")
                      .Help("The first offset the embedded event log still holds")
                      .Register(*p->registry)
                      .Add({});
  p->log_start->Set(log_start->empty() ? 0.0 : static_cast<double>((*log_start)[0]));
  p->snapshot_position = &prometheus::BuildGauge()
                              .Name("voxbase_snapshot_position")
                              .Help("The log offset the newest snapshot this process took covers")
                              .Register(*p->registry)
                              .Add({});
  auto& snapshots_family = prometheus::BuildCounter()
                               .Name("voxbase_snapshots_total")
                               .Help("Snapshots of the projections taken, by result")
                               .Register(*p->registry);
  p->snapshots_ok = &snapshots_family.Add({{"result", "ok"}});
  p->snapshots_failed = &snapshots_family.Add({{"result", "failed"}});
  auto& knowledge_family = prometheus::BuildGauge()
                               .Name("voxbase_knowledge_index")
                               .Help(
                                   "The in-memory knowledge index: documents, live and "
                                   "tombstoned chunks, vector spaces searched through a graph")
                               .Register(*p->registry);
  struct KnowledgeGauges {
    prometheus::Gauge *documents, *live, *dead, *graphs;
  } knowledge_gauges{&knowledge_family.Add({{"what", "documents"}}),
                     &knowledge_family.Add({{"what", "live_chunks"}}),
                     &knowledge_family.Add({{"what", "dead_chunks"}}),
                     &knowledge_family.Add({{"what", "graph_spaces"}})};
  prometheus::Gauge* resident_bytes = &prometheus::BuildGauge()
                                           .Name("voxbase_process_resident_bytes")
                                           .Help("This process's resident set size (RSS)")
                                           .Register(*p->registry)
                                           .Add({});
  auto& store_memory_family =
      prometheus::BuildGauge()
          .Name("voxbase_store_memory_bytes")
          .Help(
              "What the projections' RocksDB holds in memory: block cache (and the part of it "
              "pinned, which eviction cannot free), memtables, table readers (index and filter "
              "blocks outside the cache)")
          .Register(*p->registry);
  struct StoreMemoryGauges {
    prometheus::Gauge *block_cache, *block_cache_pinned, *memtables, *table_readers;
  } store_memory_gauges{&store_memory_family.Add({{"what", "block_cache"}}),
                        &store_memory_family.Add({{"what", "block_cache_pinned"}}),
                        &store_memory_family.Add({{"what", "memtables"}}),
                        &store_memory_family.Add({{"what", "table_readers"}})};
  hooks.metrics = [raw, free_bytes, resident_bytes, store_memory_gauges, knowledge_gauges] {
    if (std::optional<uint64_t> bytes = FreeBytes(raw->options.data_dir)) {
      free_bytes->Set(static_cast<double>(*bytes));
    }
    if (std::optional<uint64_t> bytes = ResidentBytes()) {
      resident_bytes->Set(static_cast<double>(*bytes));
    }
    StoreMemory memory = raw->store->memory();
    store_memory_gauges.block_cache->Set(static_cast<double>(memory.block_cache_bytes));
    store_memory_gauges.block_cache_pinned->Set(
        static_cast<double>(memory.block_cache_pinned_bytes));
    store_memory_gauges.memtables->Set(static_cast<double>(memory.memtable_bytes));
    store_memory_gauges.table_readers->Set(static_cast<double>(memory.table_reader_bytes));
    KnowledgeIndex::Stats stats = raw->knowledge->stats();
    knowledge_gauges.documents->Set(static_cast<double>(stats.documents));
    knowledge_gauges.live->Set(static_cast<double>(stats.live_chunks));
    knowledge_gauges.dead->Set(static_cast<double>(stats.dead_chunks));
    knowledge_gauges.graphs->Set(static_cast<double>(stats.graph_spaces));
    std::vector<prometheus::MetricFamily> families = raw->registry->Collect();
    for (prometheus::MetricFamily& f : raw->business_metrics->Collect()) {
      families.push_back(std::move(f));
    }
    return prometheus::TextSerializer().Serialize(families);
  };
  AddOpsRoutes(p->router, hooks);
  AddApiRoutes(p->router, p->api);
  SnapshotHooks snapshot_hooks;
  snapshot_hooks.take = [raw]() -> Result<SnapshotRun> {
    if (!raw->runner->stall().ok()) {
      return Status(StatusCode::kUnavailable, "the processor is stopped; no snapshot taken");
    }
    return raw->Snapshot();
  };
  snapshot_hooks.data_dir = o.data_dir;
  snapshot_hooks.log = p->log.get();
  AddSnapshotRoutes(p->router, p->api, snapshot_hooks);
  // Strong reads: while the processor is stopped or still catching up, the projections are
  // behind the log, so the API says so instead of answering from them. The admin API stays open
  // (dead letters are how an operator finds out why).
  p->router.SetGate("/", {"/healthz", "/readyz", "/metrics", "/api/admin/"},
                    [projections_current](const HttpRequest&) -> std::optional<HttpResponse> {
                      Status status = projections_current();
                      if (status.ok()) return std::nullopt;
                      HttpResponse r =
                          ErrorResponse(503, status.message() + "; answers would be stale");
                      r.headers.emplace_back("Retry-After", "1");
                      return r;
                    });

  Result<uint16_t> port = p->http->Start();
  if (!port.ok()) return port.status();
  p->port = *port;
  p->recovery = std::thread([raw] {
    // Each applied batch wakes it (the runner says it caught up before it publishes the batch
    // that did it); the timeout only covers catching up without a batch (a log that could not
    // say where it ended).
    while (!raw->stopping && !raw->runner->caught_up()) {
      raw->recovery_wake->Next(std::chrono::seconds(1));
    }
    {
      std::lock_guard<std::mutex> lock(raw->recovery_mu);
      raw->recovery_wake.reset();  // nobody left listening: the runner stops listing rows
    }
    if (raw->stopping || !raw->runner->stall().ok()) return;
    size_t interrupted = RecordInterruptedExecutions(raw->api);
    if (interrupted > 0) {
      std::fprintf(stderr, "voxbase: %zu tool executions were interrupted by the last stop\n",
                   interrupted);
    }
  });
  if (o.snapshot_every.count() > 0) {
    p->snapshot_timer = std::thread([raw] {
      std::unique_lock<std::mutex> lock(raw->timer_mu);
      while (!raw->timer_cv.wait_for(lock, raw->options.snapshot_every,
                                     [raw] { return raw->stopping.load(); })) {
        if (!raw->runner->caught_up() || !raw->runner->stall().ok()) continue;
        lock.unlock();
        Result<SnapshotRun> run = raw->Snapshot();
        if (!run.ok()) {
          std::fprintf(stderr, "voxbase: snapshot failed: %s\n", run.status().ToString().c_str());
        }
        lock.lock();
      }
    });
  }
  return std::unique_ptr<Node>(new Node(std::move(p)));
}

Node::Node(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Node::~Node() { Stop(); }

uint16_t Node::port() const { return parts_->port; }

void Node::Stop() {
  Parts& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  {
    std::lock_guard<std::mutex> lock(p.timer_mu);
    p.stopping = true;
  }
  p.timer_cv.notify_all();
  {
    std::lock_guard<std::mutex> lock(p.recovery_mu);
    if (p.recovery_wake) p.recovery_wake->Cancel();
  }
  if (p.snapshot_timer.joinable()) p.snapshot_timer.join();
  if (p.recovery.joinable()) p.recovery.join();
  p.http->StopAccepting();
  p.http->Drain(std::chrono::seconds(5));
  p.log->Close();
  if (!p.runner->StopAtEnd(std::chrono::seconds(10))) {
    std::fprintf(stderr,
                 "voxbase: stopped before the processors applied the whole log; the next start "
                 "applies the rest\n");
  }
  // The vector index's snapshot, at the position the runner stopped at: the next start loads it
  // and is fed only the tail, instead of rebuilding every graph.
  if (p.runner->stall().ok()) {
    Status saved = p.knowledge->SaveSnapshot(
        KnowledgeSnapshotPath(ProjectionsDirectory(p.options.data_dir)), p.runner->positions());
    if (!saved.ok()) {
      std::fprintf(stderr, "voxbase: knowledge index snapshot not saved: %s\n",
                   saved.ToString().c_str());
    }
  }
  p.watermark->FailAll();
  p.http->Drain(std::chrono::seconds(1));
  p.http->Stop();
  p.blocking.reset();  // finishes calls in flight; their answers go nowhere now
}

}  // namespace voxbase
