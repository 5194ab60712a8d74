// End to end against the real binary, for what is not a request/answer sequence (those are the
// case files, case_test.cc): /metrics, seed-app, concurrent idempotent retries, the connection cap.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

class E2eTest : public ServerWithAppTest {
 protected:
  E2eTest() : ServerWithAppTest("shop") {}

  std::string Auth() const { return R"("appSlug":"shop","appSecret":")" + app_.secret + "\""; }
  std::string QueryAuth() const { return "appSlug=shop&appSecret=" + app_.secret; }

  HttpResponse Post(const std::string& path, const std::string& fields) {
    Result<HttpResponse> r = client_->Request("POST", path, "{" + Auth() + "," + fields + "}");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResponse{};
  }
  HttpResponse Get(const std::string& path_and_query) {
    Result<HttpResponse> r = client_->Request("GET", path_and_query);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResponse{};
  }
};

// True when a sample line (not a # HELP or # TYPE line) starts with `prefix`.
bool HasSample(const std::string& exposition, const std::string& prefix) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("#") && line.starts_with(prefix)) return true;
  }
  return false;
}

// The value of the sample named exactly `name` (labels included); -1 when absent.
double SampleValue(const std::string& exposition, const std::string& name) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

TEST_F(E2eTest, MetricsExposeRequestsAppendsOffsetsAndFsync) {
  ASSERT_EQ(Post("/api/events", R"("events":[{"type":"a","sessionId":"m"}])").status, 200);
  // A method nobody uses must not become a label of its own.
  ASSERT_TRUE(client_->Request("FROBNICATE" + std::string(200, 'X'), "/api/events").ok());
  HttpResponse r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  for (const char* sample :
       {"voxbase_http_requests_total{method=\"POST\",route=\"/api/events\",status=\"200\"} 1",
        "voxbase_http_request_duration_seconds_count{route=\"/api/events\",status=\"200\"} 1",
        "voxbase_events_appended_total{type=\"telemetry.recorded\"} 1", "voxbase_log_end_offset 2",
        "voxbase_processor_applied_offset{processor=\"tables\"} 2",
        "voxbase_processor_lag_records{processor=\"tables\"} 0", "voxbase_log_fsync_seconds_count ",
        "voxbase_http_requests_total{method=\"other\"", "voxbase_data_dir_free_bytes ",
        "voxbase_knowledge_index{what=\"documents\"} 0"}) {
    EXPECT_TRUE(HasSample(r.body, sample)) << sample;
  }
  EXPECT_EQ(r.body.find("FROBNICATE"), std::string::npos);
  // Memory, for telling RocksDB's share of the resident set from the rest.
  const double resident = SampleValue(r.body, "voxbase_process_resident_bytes");
  const double memtables = SampleValue(r.body, "voxbase_store_memory_bytes{what=\"memtables\"}");
  EXPECT_GT(resident, 1 << 20);
  EXPECT_GT(memtables, 0) << "the event above is in a memtable";
  EXPECT_LT(memtables, resident);
  EXPECT_GE(SampleValue(r.body, "voxbase_store_memory_bytes{what=\"block_cache\"}"), 0);
  EXPECT_GE(SampleValue(r.body, "voxbase_store_memory_bytes{what=\"table_readers\"}"), 0);
  const double pinned =
      SampleValue(r.body, "voxbase_store_memory_bytes{what=\"block_cache_pinned\"}");
  EXPECT_GE(pinned, 0);
  EXPECT_LE(pinned, SampleValue(r.body, "voxbase_store_memory_bytes{what=\"block_cache\"}"));
}

TEST_F(E2eTest, ConcurrentRetriesWithOneKeyWriteOnceAndAllGetTheFirstAnswer) {
  constexpr int kWriters = 8;
  const std::string body =
      "{" + Auth() + R"(,"messages":[{"sessionId":"race","role":"user","content":"once"}]})";
  std::vector<std::string> answers(kWriters);
  std::vector<int> statuses(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      auto client = server_->Client();
      Result<HttpResponse> r =
          client->Request("POST", "/api/messages", body, {{"Idempotency-Key", "race-key"}});
      statuses[i] = r.ok() ? r->status : -1;
      answers[i] = r.ok() ? r->body : r.status().ToString();
    });
  }
  for (auto& t : writers) t.join();
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_EQ(statuses[i], 200) << answers[i];
    EXPECT_EQ(answers[i], answers[0]) << "writer " << i << " got another answer";
  }
  HttpResponse r = Get("/api/messages?sessionId=race&" + QueryAuth());
  ASSERT_EQ(r.status, 200);
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(r.body)["messages"].get_array().size(), 1u) << r.body;
}

TEST_F(E2eTest, AppSlugsAreUniqueAndSeedAppReportsTheConflict) {
  Result<HttpResponse> r = client_->Request(
      "POST", "/api/admin/apps", R"({"slug":"shop","name":"Again","secret":"0123456789abcdef0"})",
      {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409) << r->body;
  // seed-app against the running server goes through the admin API.
  CommandOutput out =
      RunVoxbase({"seed-app", "--data-dir", dir_.path(), "--url",
                  "http://127.0.0.1:" + std::to_string(server_->port()), "--admin-token",
                  kAdminToken, R"({"slug":"from-cli","name":"CLI","secret":"0123456789abcdef0"})"});
  EXPECT_EQ(out.exit_code, 0) << out.stdout_text << out.stderr_text;
  EXPECT_FALSE(JsonString(out.stdout_text, "appId").empty()) << out.stdout_text;
}

}  // namespace
}  // namespace voxbase::testing

namespace voxbase::testing {
namespace {

// A raw TCP connection from `source` (any 127/8 address) that sends nothing.
int IdleConnection(uint16_t port, const char* source = "127.0.0.1") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &local.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Waits up to `ms` for the server to close `fd`.
bool ClosedByServer(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

// A request over a raw connection, answered or not (Connection: close).
int RawStatus(int fd) {
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return -1;
  std::string answer;
  char buf[512];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 3000) > 0) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  return answer.starts_with("HTTP/1.1 ") ? std::stoi(answer.substr(9, 3)) : -1;
}

TEST(MemoryFlagsTest, TheStoresBudgetsAreFlagsAndValuesOutOfRangeAreRefused) {
  TempDir dir;
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"--block-cache-mb", "4"}, {"--memtable-mb", "1"}, {"--block-cache-mb", "lots"}}) {
    CommandOutput out = RunVoxbase({"serve", "--port", "0", "--data-dir", dir.path(), flag, value});
    EXPECT_EQ(out.exit_code, 1) << flag << " " << value;
    EXPECT_NE(out.stderr_text.find(flag), std::string::npos) << out.stderr_text;
  }
  ServerProcess server(dir.path(), {"--block-cache-mb", "8", "--memtable-mb", "64"});
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  auto client = server.Client();
  TestApp app = CreateApp(*client, "small");
  ASSERT_FALSE(app.app_id.empty());
  Result<HttpResponse> r = client->Request("GET", "/metrics");
  ASSERT_TRUE(r.ok());
  EXPECT_LE(SampleValue(r->body, "voxbase_store_memory_bytes{what=\"block_cache\"}"), 8 << 20);
}

// 10,500 idle connections used to hold all 10,000 places for the whole read timeout while real
// clients got resets. At the cap the connection idle longest makes room, as in nginx.
TEST(ConnectionsTest, IdleConnectionsAtTheCapMakeRoomForRealClients) {
  TempDir dir;
  ServerProcess server(dir.path(),
                       {"--max-connections", "20", "--max-connections-per-client", "100"});
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) idle.push_back(IdleConnection(server.port()));
  for (int i = 0; i < 10; ++i) {
    int fd = IdleConnection(server.port(), "127.0.0.9");
    ASSERT_GE(fd, 0);
    EXPECT_EQ(RawStatus(fd), 200) << "a real client was refused behind idle connections";
    ::close(fd);
  }
  // The oldest idle ones were closed to make room.
  EXPECT_TRUE(ClosedByServer(idle.front(), 2000));
  for (int fd : idle) ::close(fd);
}

TEST(ConnectionsTest, AConnectionThatSendsNoHeadersIsClosedAtTheHeaderTimeout) {
  TempDir dir;
  ServerProcess server(dir.path(), {"--header-timeout-ms", "300"});
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  int fd = IdleConnection(server.port());
  ASSERT_GE(fd, 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedByServer(fd, 5000)) << "an idle connection was held past the header timeout";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(4000));
  ::close(fd);
  // A client that does send its request is not affected.
  EXPECT_EQ(server.Client()->Request("GET", "/healthz")->status, 200);
}

TEST(ConnectionsTest, OneClientAddressCannotTakeEveryPlace) {
  TempDir dir;
  ServerProcess server(dir.path(), {"--max-connections-per-client", "5"});
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  std::vector<int> mine;
  for (int i = 0; i < 5; ++i) mine.push_back(IdleConnection(server.port(), "127.0.0.2"));
  int sixth = IdleConnection(server.port(), "127.0.0.2");
  EXPECT_TRUE(ClosedByServer(sixth, 2000)) << "a sixth connection from one address was kept";
  int other = IdleConnection(server.port(), "127.0.0.3");
  EXPECT_EQ(RawStatus(other), 200) << "another address was refused";
  for (int fd : mine) ::close(fd);
  ::close(sixth);
  ::close(other);
}

// With `ulimit -n 256` and 400 clients the accept loop used to spin at 100 % CPU and /healthz
// timed out. The server now fits its cap to the limit, evicts idle connections and backs off.
TEST(ConnectionsTest, OutOfFileDescriptorsTheServerNeitherSpinsNorStopsAnswering) {
  TempDir dir;
  ServerProcess server(dir.path(), {}, {{kFileLimitVariable, "256"}});
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  std::vector<int> flood;
  for (int i = 0; i < 400; ++i) flood.push_back(IdleConnection(server.port()));
  auto cpu_seconds = [&] {
    std::ifstream stat("/proc/" + std::to_string(server.pid()) + "/stat");
    std::string field;
    std::vector<std::string> fields;
    while (stat >> field) fields.push_back(field);
    return fields.size() > 15
               ? static_cast<double>(std::stoll(fields[13]) + std::stoll(fields[14])) /
                     static_cast<double>(::sysconf(_SC_CLK_TCK))
               : -1.0;
  };
  double before = cpu_seconds();
  ASSERT_GE(before, 0) << "the server's CPU time cannot be read from /proc";
  std::this_thread::sleep_for(std::chrono::seconds(1));
  double after = cpu_seconds();
  ASSERT_GE(after, 0) << "the server's CPU time cannot be read from /proc";
  double used = after - before;
  EXPECT_LT(used, 0.5) << "the server burned CPU while out of descriptors";
  int fd = IdleConnection(server.port());
  EXPECT_EQ(RawStatus(fd), 200) << "/healthz was not answered while out of descriptors";
  ::close(fd);
  for (int f : flood) ::close(f);
}

}  // namespace
}  // namespace voxbase::testing
