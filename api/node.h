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
#include "ingest/commands.h"
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
  KafkaLogOptions kafka;  // kafka
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
};

std::string LogDirectory(const std::string& data_dir);
std::string ProjectionsDirectory(const std::string& data_dir);

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
