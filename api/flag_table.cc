#include "api/flag_table.h"

#include <cstdio>
#include <cstdlib>

namespace voxbase {
namespace {

constexpr uint32_t kLogCommands = kServeCommand | kReplayCommand | kSnapshotCommand;
constexpr int64_t kMiB = 1 << 20;
using K = FlagKind;

}  // namespace

const std::vector<FlagSpec>& FlagTable() {
  // clang-format off
  static const std::vector<FlagSpec> table = {
    {"data-dir", kLogCommands | kChecksumCommand | kRepairCommand | kSeedAppCommand, K::kString, "data", 0, 0, "where the log, projections and snapshots live"},
    // HTTP
    {"port", kServeCommand, K::kInt, "8080", 0, 65535, "HTTP port (0: any free one)"},
    {"bind", kServeCommand, K::kString, "127.0.0.1", 0, 0, "address to listen on"},
    {"threads", kServeCommand, K::kInt, "", 1, 256, "HTTP threads", "<cores>"},
    {"max-body-bytes", kServeCommand, K::kInt, "1048576", 1024, 64 * kMiB, "largest request body; more is 413"},
    {"apply-timeout-ms", kServeCommand, K::kInt, "5000", 10, 600000, "how long a write waits for its event to be applied"},
    {"max-connections", kServeCommand, K::kInt, "10000", 1, 1000000, "open connections (lowered to fit the file-descriptor limit)"},
    {"max-connections-per-client", kServeCommand, K::kInt, "", 1, 1000000, "open connections per client address", "<max-connections / 4>"},
    {"header-timeout-ms", kServeCommand, K::kInt, "10000", 10, 600000, "time to send a request's headers"},
    {"idle-timeout-ms", kServeCommand, K::kInt, "60000", 10, 3600000, "an idle keep-alive connection is closed after this"},
    // Credentials and limits
    {"admin-token", kServeCommand | kSeedAppCommand, K::kString, "", 0, 0, "opens the admin API (at least 16 characters; prefer the environment)", "<token>"},
    {"admin-token-file", kServeCommand, K::kString, "", 0, 0, "the admin token from the first line of a file", "FILE"},
    {"token-key", kServeCommand, K::kString, "", 0, 0, "session-token key, 32+ hex digits (default: <data-dir>/token.key)", "<hex>"},
    {"legacy-session-tokens", kServeCommand, K::kSwitch, "", 0, 0, "tokens minted without a role keep app-wide rights"},
    {"token-rate-per-minute", kServeCommand, K::kInt, "60", 1, 1000000, "provider tokens minted per app a minute"},
    {"token-burst", kServeCommand, K::kInt, "20", 1, 1000000, "provider tokens an app may mint at once"},
    {"app-write-rate", kServeCommand, K::kInt, "20000", 0, 10'000'000, "events a second per app (0: no limit)"},
    {"app-write-burst", kServeCommand, K::kInt, "40000", 1, 100'000'000, "events an app may write at once"},
    {"metrics-per-app", kServeCommand, K::kSwitch, "", 0, 0, "label write-quota refusals and business metrics by app in /metrics (50 apps, the rest as other)"},
    // Providers and tools
    {"provider-timeout-ms", kServeCommand, K::kInt, "10000", 100, 120000, "an upstream provider's answer; then 504"},
    {"openai-secret-ttl-s", kServeCommand, K::kInt, "60", 10, 7200, "lifetime of an OpenAI client secret"},
    {"livekit-token-ttl-s", kServeCommand, K::kInt, "21600", 60, 7 * 24 * 3600, "lifetime of a LiveKit access token"},
    {"allow-private-tool-endpoints", kServeCommand, K::kSwitch, "", 0, 0, "tools may call private and loopback addresses"},
    // Knowledge
    {"embedder", kServeCommand, K::kString, "local", 0, 0, "the default embedder", "local|openai|gemini"},
    {"openai-embedding-model", kServeCommand, K::kString, "text-embedding-3-small", 0, 0, "OpenAI's embedding model"},
    {"openai-embedding-dimensions", kServeCommand, K::kInt, "768", 1, 8192, "dimensions asked of OpenAI's embeddings"},
    {"gemini-embedding-model", kServeCommand, K::kString, "text-embedding-004", 0, 0, "Gemini's embedding model"},
    {"hnsw-threshold", kServeCommand, K::kInt, "20000", 1, 1000000000, "vectors in an app before its index becomes an HNSW graph"},
    // The log
    {"log", kLogCommands, K::kString, "embedded", 0, 0, "where events go", "embedded|kafka"},
    {"fsync", kLogCommands, K::kString, "always", 0, 0, "when the embedded log syncs", "always|interval|none"},
    {"fsync-interval-ms", kLogCommands, K::kInt, "20", 1, 60000, "sync period under --fsync interval"},
    {"segment-bytes", kLogCommands, K::kInt, "67108864", 4096, int64_t{1} << 40, "embedded log segment size"},
    {"log-preallocate-mb", kLogCommands, K::kInt, "8", 0, 1024, "zeros kept written ahead of the log's end (0: plain appends)"},
    {"kafka-brokers", kLogCommands, K::kString, "", 0, 0, "bootstrap servers for --log kafka", "h:p[,h:p]"},
    {"kafka-topic", kLogCommands | kDevKafkaCommand, K::kString, "voxbase.events", 0, 0, "the topic events go to"},
    {"kafka-partitions", kLogCommands, K::kInt, "6", 1, 10000, "partitions of a topic voxbase creates"},
    {"kafka-replication", kLogCommands, K::kInt, "3", 1, 16, "replication factor of a topic voxbase creates"},
    // Snapshots, retention, storage
    {"snapshot-every-s", kServeCommand, K::kInt, "", 0, 365 * 86400, "snapshot period (0: none)", "<0, or 3600 with a log retention>"},
    {"keep-snapshots", kServeCommand | kSnapshotCommand, K::kInt, "2", 1, 1000, "snapshots kept"},
    {"log-retention", kServeCommand | kSnapshotCommand, K::kString, "keep", 0, 0, "what happens to log segments a snapshot covers", "keep|delete|archive"},
    {"log-archive-dir", kServeCommand | kSnapshotCommand, K::kString, "", 0, 0, "where --log-retention archive moves them", "DIR"},
    {"min-free-bytes", kServeCommand, K::kInt, "67108864", 0, int64_t{1} << 50, "free disk below which writes are refused (507)"},
    {"block-cache-mb", kServeCommand, K::kInt, "256", 8, 1 << 20, "the projections' RocksDB block cache"},
    {"memtable-mb", kServeCommand, K::kInt, "256", 64, 1 << 20, "the projections' RocksDB memtables, all together"},
    {"flush-every-records", kServeCommand, K::kInt, "20000", 0, int64_t{1} << 40, "bounds what a restart after kill -9 applies again"},
    // Other commands
    {"from-snapshot", kReplayCommand, K::kSwitch, "", 0, 0, "start from the newest snapshot"},
    {"yes", kRepairCommand, K::kSwitch, "", 0, 0, "cut without asking"},
    {"url", kSeedAppCommand, K::kString, "http://127.0.0.1:8080", 0, 0, "the running server"},
    {"brokers", kDevKafkaCommand, K::kInt, "3", 1, 16, "mock brokers"},
    {"partitions", kDevKafkaCommand, K::kInt, "6", 1, 1000, "partitions of the mock topic"},
    {"commands-on-stdin", kDevKafkaCommand, K::kSwitch, "", 0, 0, "take fault-injection commands on stdin"},
  };
  // clang-format on
  return table;
}

const FlagSpec& FindFlag(std::string_view name) {
  for (const FlagSpec& spec : FlagTable()) {
    if (spec.name == name) return spec;
  }
  std::fprintf(stderr, "voxbase: flag --%.*s is not in the flag table\n",
               static_cast<int>(name.size()), name.data());
  std::abort();
}

std::string FlagEnvironmentName(std::string_view name) {
  std::string env = "VOXBASE_";
  for (char c : name) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return env;
}

std::string DescribeFlags(uint32_t command) {
  std::string out;
  for (const FlagSpec& spec : FlagTable()) {
    if ((spec.commands & command) == 0) continue;
    std::string flag = "    --" + std::string(spec.name);
    if (spec.kind != FlagKind::kSwitch) {
      flag += " " + std::string(spec.shown.empty() ? spec.fallback : spec.shown);
    }
    if (flag.size() < 44) flag.resize(44, ' ');
    out += flag + " " + std::string(spec.help) + "\n";
  }
  return out;
}

}  // namespace voxbase
