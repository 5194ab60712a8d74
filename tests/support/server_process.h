// ServerProcess: runs the real voxbase binary as a child process for end-to-end tests.
//
// Start() launches `voxbase serve --port 0` on a data directory and reads the bound port from the
// first line it prints; Kill() sends SIGKILL (a crash), Stop() SIGTERM (a clean stop). Also helpers
// to run the other subcommands and to create an app. One test thread uses one ServerProcess.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_client.h"

namespace voxbase::testing {

inline constexpr char kAdminToken[] = "test-admin-token-0123456789";

// Environment variables set in a child process (besides VOXBASE_ADMIN_TOKEN).
using Environment = std::vector<std::pair<std::string, std::string>>;
// An Environment entry with this name is no variable: it sets the child's file-descriptor limit.
inline constexpr char kFileLimitVariable[] = "<RLIMIT_NOFILE>";

class ServerProcess {
 public:
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_flags = {},
                         Environment env = {});
  ~ServerProcess();

  void Start();  // fails the test (ASSERT) when the server does not come up
  void Kill();   // SIGKILL, then reap
  void Stop();   // SIGTERM, then reap
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::unique_ptr<BlockingHttpClient> Client() const;
  // Waits until /readyz answers 200.
  bool WaitReady(int timeout_ms = 10000) const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  Environment env_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// `voxbase dev-kafka` in its own process: a mock Kafka cluster that outlives the nodes under test.
// Command() sends one fault-injection line and waits for its "ok".
class DevKafkaProcess {
 public:
  DevKafkaProcess(int brokers, int partitions);
  ~DevKafkaProcess();
  void Start();  // ASSERTs it came up
  const std::string& bootstrap() const { return bootstrap_; }
  // Flags for `voxbase serve` to use this cluster.
  std::vector<std::string> NodeFlags() const;
  bool Command(const std::string& line);
  // Sends one line and returns the answer line ("ok 3" for pending-errors).
  std::string Ask(const std::string& line);

 private:
  int brokers_;
  int partitions_;
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string bootstrap_;
};

struct CommandOutput {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};
// Runs `voxbase <args>` to completion.
CommandOutput RunVoxbase(const std::vector<std::string>& args);

// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct TestApp {
  std::string slug;
  std::string secret;
  std::string app_id;
};
// Creates an app through the admin API; ASSERTs on failure.
TestApp CreateApp(BlockingHttpClient& client, const std::string& slug);

// A test with the real server on a fresh data directory and one app, `slug`, made on it.
class ServerWithAppTest : public ::testing::Test {
 protected:
  explicit ServerWithAppTest(std::string slug) : slug_(std::move(slug)) {}
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
    app_ = CreateApp(*client_, slug_);
    ASSERT_FALSE(app_.app_id.empty());
  }

  const std::string slug_;
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
  TestApp app_;
};

// A JSON string field from a body, or "" (simdjson; for test assertions).
std::string JsonString(const std::string& body, const std::string& field);
int64_t JsonInt(const std::string& body, const std::string& field);

// The value of the first /metrics sample whose line starts with `prefix` (a name and its labels,
// or a name and a space), or -1 when the request fails or there is no such sample.
double MetricValue(BlockingHttpClient& client, std::string_view prefix);

}  // namespace voxbase::testing
