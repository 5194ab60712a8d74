#include "tests/support/server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

namespace voxbase::testing {
namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

// Forks and runs `args`, with `child_in/out/err` (when not -1) as the child's stdin, stdout and
// stderr. In the child every fd in `close_in_child` is closed; in the parent the child's ends.
pid_t Spawn(std::vector<std::string> args, int child_in, int child_out, int child_err,
            const std::vector<int>& close_in_child, const Environment& env = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (child_in >= 0) ::dup2(child_in, STDIN_FILENO);
    if (child_out >= 0) ::dup2(child_out, STDOUT_FILENO);
    if (child_err >= 0) ::dup2(child_err, STDERR_FILENO);
    for (int fd : close_in_child) ::close(fd);
    ::setenv("VOXBASE_ADMIN_TOKEN", kAdminToken, 1);
    for (const auto& [name, value] : env) {
      if (name == kFileLimitVariable) {
        rlimit limit{static_cast<rlim_t>(std::stoul(value)),
                     static_cast<rlim_t>(std::stoul(value))};
        ::setrlimit(RLIMIT_NOFILE, &limit);
        continue;
      }
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    auto argv = Argv(args);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  for (int fd : {child_in, child_out, child_err}) {
    if (fd >= 0) ::close(fd);
  }
  return pid;
}

std::string ReadAllFd(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_flags,
                             Environment env)
    : data_dir_(std::move(data_dir)), extra_flags_(std::move(extra_flags)), env_(std::move(env)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

void ServerProcess::Start() {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  std::vector<std::string> args = {VOXBASE_BINARY, "serve", "--port", "0", "--data-dir", data_dir_};
  for (const auto& f : extra_flags_) args.push_back(f);
  pid_ = Spawn(args, -1, out[1], -1, {out[0], out[1]}, env_);
  ASSERT_GT(pid_, 0);
  // First line: "voxbase listening on http://127.0.0.1:PORT (...)"
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  // Keep draining stdout in the background so the child never blocks on a full pipe.
  std::thread([fd = out[0]] {
    char buf[1024];
    while (::read(fd, buf, sizeof(buf)) > 0) {
    }
    ::close(fd);
  }).detach();
  size_t colon = line.rfind(':', line.find(" ("));
  ASSERT_NE(colon, std::string::npos) << "server did not start: '" << line << "'";
  port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
  ASSERT_GT(port_, 0);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void ServerProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "server exit status " << status;
}

std::unique_ptr<BlockingHttpClient> ServerProcess::Client() const {
  return std::make_unique<BlockingHttpClient>("127.0.0.1", port_);
}

bool ServerProcess::WaitReady(int timeout_ms) const {
  auto client = Client();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<HttpResponse> r = client->Request("GET", "/readyz");
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

namespace {
std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}
}  // namespace

DevKafkaProcess::DevKafkaProcess(int brokers, int partitions)
    : brokers_(brokers), partitions_(partitions) {}

DevKafkaProcess::~DevKafkaProcess() {
  if (in_ >= 0) ::close(in_);
  if (pid_ > 0) {  // it runs until a signal, stdin closed or not
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) ::close(out_);
}

void DevKafkaProcess::Start() {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  std::vector<std::string> args = {VOXBASE_BINARY,       "dev-kafka",
                                   "--brokers",          std::to_string(brokers_),
                                   "--partitions",       std::to_string(partitions_),
                                   "--commands-on-stdin"};
  int devnull = ::open("/dev/null", O_WRONLY);  // librdkafka logs broker down/up at length
  pid_ = Spawn(args, in[0], out[1], devnull, {in[0], in[1], out[0], out[1], devnull});
  ASSERT_GT(pid_, 0);
  in_ = in[1];
  out_ = out[0];
  bootstrap_ = ReadLine(out_);
  ASSERT_NE(bootstrap_.find("127.0.0.1:"), std::string::npos) << "dev-kafka: " << bootstrap_;
}

std::vector<std::string> DevKafkaProcess::NodeFlags() const {
  return {"--log", "kafka", "--kafka-brokers", bootstrap_};
}

std::string DevKafkaProcess::Ask(const std::string& line) {
  std::string with_newline = line + "\n";
  if (::write(in_, with_newline.data(), with_newline.size()) !=
      static_cast<ssize_t>(with_newline.size())) {
    return "error: write failed";
  }
  return ReadLine(out_);
}

bool DevKafkaProcess::Command(const std::string& line) {
  std::string answer = Ask(line);
  EXPECT_EQ(answer, "ok") << line;
  return answer == "ok";
}

CommandOutput RunVoxbase(const std::vector<std::string>& extra) {
  int out[2], err[2];
  CommandOutput result;
  if (::pipe(out) != 0 || ::pipe(err) != 0) return result;
  std::vector<std::string> args = {VOXBASE_BINARY};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_t pid = Spawn(args, -1, out[1], err[1], {out[0], out[1], err[0], err[1]});
  std::thread err_reader([&] { result.stderr_text = ReadAllFd(err[0]); });
  result.stdout_text = ReadAllFd(out[0]);
  err_reader.join();
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = (std::filesystem::temp_directory_path() /
           ("voxbase-e2e-" + std::to_string(rd()) + std::to_string(rd())))
              .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestApp CreateApp(BlockingHttpClient& client, const std::string& slug) {
  TestApp app{slug, "secret-for-" + slug + "-0123456789", ""};
  Result<HttpResponse> r = client.Request(
      "POST", "/api/admin/apps",
      R"({"slug":")" + slug + R"(","name":"Test )" + slug + R"(","secret":")" + app.secret +
          R"(","modelId":"gemini-2.5-flash","replyAsAudio":true,"systemPrompt":"Be brief."})",
      {{"Authorization", std::string("Bearer ") + kAdminToken}});
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return app;
  EXPECT_EQ(r->status, 201) << r->body;
  app.app_id = JsonString(r->body, "appId");
  return app;
}

std::string JsonString(const std::string& body, const std::string& field) {
  simdjson::dom::parser parser;
  std::string_view v;
  if (parser.parse(body)[field].get(v)) return {};
  return std::string(v);
}

int64_t JsonInt(const std::string& body, const std::string& field) {
  simdjson::dom::parser parser;
  int64_t v = -1;
  if (parser.parse(body)[field].get(v)) return -1;
  return v;
}

double MetricValue(BlockingHttpClient& client, std::string_view prefix) {
  Result<HttpResponse> r = client.Request("GET", "/metrics");
  if (!r.ok()) return -1;
  std::istringstream lines(r->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(prefix)) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

}  // namespace voxbase::testing
