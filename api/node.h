// Node: one voxbase server — the event log, the projection store, the processor runner and the
// HTTP API, wired together over one data directory (<data>/log, <data>/projections).
//
// Lifecycle: Start() opens the log (recovering a torn tail), opens the store, starts the runner
// (which resumes from its stored position and catches up) and then the HTTP server; readiness
// (/readyz) waits for the catch-up. Stop() stops accepting, lets requests in flight finish,
// closes the log, stops the runner and the server. Start and Stop from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/server.h"
#include "ingest/command.h"
#include "ingest/embedder.h"
#include "ingest/providers.h"
#include "processors/snapshots.h"
#include "projections/knowledge_index.h"
#include "schemas/clock.h"
#include "schemas/ids.h"
#include "storage/event_log.h"
#include "storage/kafka_log.h"
#include "storage/log_probe.h"

namespace voxbase {

// Which event log a node runs on; nothing else differs between the two.
struct LogConfig {
  enum class Backend { kEmbedded, kKafka };
  Backend backend = Backend::kEmbedded;
  FsyncPolicy fsync = FsyncPolicy::kAlways;  // embedded
  std::chrono::milliseconds fsync_interval{20};
  uint64_t segment_bytes = 64ull << 20;     // embedded: roll to a new segment past this size
  uint64_t preallocate_bytes = 8ull << 20;  // embedded: zeros kept ahead of the open segment's end
  KafkaLogOptions kafka;                    // kafka
};

// Opens the configured log; the embedded one lives in <data_dir>/log.
Result<std::unique_ptr<EventLog>> OpenEventLog(const LogConfig& config, const std::string& data_dir,
                                               LogProbe* probe);

struct NodeOptions {
  std::string data_dir = "data";
  LogConfig log;
  HttpServerOptions http;
  std::string admin_token;  // empty: admin API off
  IngestLimits limits;
  std::chrono::milliseconds apply_timeout{5000};
  // Time and ids; injected by tests. Must outlive the node.
  const Clock* clock = &SystemClock::Instance();
  IdSource* ids = &RandomIdSource::Instance();
  // Derives session tokens. Empty: read <data>/token.key, creating it (32 random bytes) on first
  // start. Nodes of one Kafka deployment must share it for idempotent retries across nodes.
  std::string token_key;
  // Model providers and LiveKit: keys and base URLs (from the environment, never flags).
  ProviderConfig providers;
  std::vector<std::string> client_origins;  // CLIENT_ORIGIN
  double token_rate_per_minute = 60;        // per app, on every token endpoint
  double token_burst = 20;
  // Per app, on appended writes (api/write_quota.h); an app's own, set at creation, wins.
  double app_write_rate = 20000;  // events a second; 0: no limit
  double app_write_burst = 40000;
  bool metrics_per_app = false;        // label the quota's refusals by app
  bool legacy_session_tokens = false;  // role-less tokens keep app-wide rights
  bool allow_private_tool_endpoints = false;
  int outbound_threads = 16;  // the blocking pool for calls out
  EmbedderConfig embedder;    // the default embedder and the remote ones' models
  KnowledgeIndexOptions knowledge;
  // Snapshots of the projections (processors/snapshots.h): taken every `snapshot_every` (0: only
  // when asked, POST /api/admin/snapshots) once caught up, then pruned and the log trimmed per
  // `retention`. Kept in <data_dir>/snapshots.
  std::chrono::seconds snapshot_every{0};
  RetentionPolicy retention;
  // Start refuses, with a message, when the data directory's filesystem has less free than this:
  // RocksDB aborts the process if it runs out of space while opening.
  uint64_t min_free_bytes = 64ull << 20;
  // The projections' RocksDB memory: its block cache (index blocks included) and all families'
  // memtables together (storage/store.h).
  uint64_t block_cache_bytes = 256ull << 20;
  // Flush the projections after this many applied records (0: only when the memtables fill): the
  // bound on what a restart after kill -9 applies again.
  int64_t flush_every_records = 20000;
  uint64_t memtable_bytes = 256ull << 20;
};

std::string LogDirectory(const std::string& data_dir);
std::string ProjectionsDirectory(const std::string& data_dir);
// The session token key kept in <data_dir>/token.key, created (mode 0600) when missing.
Result<std::string> LoadOrCreateTokenKey(const std::string& data_dir);

class Node {
 public:
  static Result<std::unique_ptr<Node>> Start(NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  uint16_t port() const;
  void Stop();

 private:
  struct Parts;
  explicit Node(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace voxbase
