// The Kafka event log end to end: real voxbase nodes on librdkafka's mock cluster, which runs in
// its own process (`voxbase dev-kafka`) so nodes can be killed while it lives on. Every test
// asserts that no acknowledged write is lost, none is applied twice, and the replicas converge to
// the same `voxbase checksum`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include "tests/support/ingest_load.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

using std::chrono::milliseconds;

int64_t Metric(uint16_t port, const std::string& prefix) {
  BlockingHttpClient client("127.0.0.1", port);
  return static_cast<int64_t>(MetricValue(client, prefix));
}

int64_t AppliedOffset(uint16_t port) { return Metric(port, "voxbase_processor_applied_offset{"); }

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(kafka_.Start()); }

  std::unique_ptr<ServerProcess> StartNode(const TempDir& dir) {
    auto node = std::make_unique<ServerProcess>(dir.path(), kafka_.NodeFlags());
    node->Start();
    if (!node->running()) ADD_FAILURE() << "the node did not start";
    EXPECT_TRUE(node->WaitReady(30000)) << "the node never became ready";
    return node;
  }

  // Waits until every node applied the same, unchanging position of the log.
  void WaitForConvergence(const std::vector<ServerProcess*>& nodes) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int64_t last = -2;
    int stable = 0;
    while (std::chrono::steady_clock::now() < deadline && stable < 5) {
      std::set<int64_t> offsets;
      for (ServerProcess* n : nodes) offsets.insert(AppliedOffset(n->port()));
      int64_t now = offsets.size() == 1 ? *offsets.begin() : -2;
      stable = (now >= 0 && now == last) ? stable + 1 : 0;
      last = now;
      std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_EQ(stable, 5) << "replicas did not converge";
  }

  static std::string Checksum(const TempDir& dir) {
    CommandOutput out = RunVoxbase({"checksum", "--data-dir", dir.path()});
    EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
    return out.stdout_text;
  }

  // Two nodes, writers on both, `fault` in the middle of the stream; then the checks every test
  // shares. `fault` may restart a node (it gets the nodes and their directories).
  void IngestThrough(const std::function<void(std::unique_ptr<ServerProcess>*, TempDir*,
                                              const IngestLoad&)>& fault) {
    TempDir dirs[2];
    std::unique_ptr<ServerProcess> nodes[2] = {StartNode(dirs[0]), StartNode(dirs[1])};
    TestApp app = CreateApp(*nodes[0]->Client(), "kafka-app");
    ASSERT_FALSE(app.app_id.empty());
    WaitForConvergence({nodes[0].get(), nodes[1].get()});  // node 1 knows the app
    IngestLoad load("kafka-app", app.secret);
    load.Start(nodes[0]->port(), 4, "a");
    load.Start(nodes[1]->port(), 4, "b");
    ASSERT_TRUE(load.WaitForAcks(200, 30));
    fault(nodes, dirs, load);
    int64_t after_fault = load.acked();
    ASSERT_TRUE(load.WaitForAcks(after_fault + 200, 60)) << "ingest did not resume after the fault";
    load.Stop();

    WaitForConvergence({nodes[0].get(), nodes[1].get()});
    EXPECT_GE(load.ExpectEachAckedOnce(nodes[0]->port()), 400u);
    EXPECT_GE(load.ExpectEachAckedOnce(nodes[1]->port()), 400u);
    nodes[0]->Stop();
    nodes[1]->Stop();
    std::string a = Checksum(dirs[0]);
    EXPECT_EQ(a.size(), 65u);
    EXPECT_EQ(a, Checksum(dirs[1]));
  }

  DevKafkaProcess kafka_{3, 3};
};

TEST_F(KafkaTest, TwoNodesAcceptWritesReadTheirOwnAndConverge) {
  IngestThrough([](std::unique_ptr<ServerProcess>* nodes, TempDir*, const IngestLoad&) {
    // Read your writes on the node that took the write, whichever node created the app.
    for (int i = 0; i < 2; ++i) {
      auto client = nodes[i]->Client();
      std::string session = "ryw-" + std::to_string(i);
      Result<HttpResponse> saved = client->Request(
          "POST", "/api/conversations",
          R"({"appSlug":"kafka-app","appSecret":"secret-for-kafka-app-0123456789","sessionId":")" +
              session + R"(","status":"resolved"})");
      ASSERT_TRUE(saved.ok());
      ASSERT_EQ(saved->status, 200) << saved->body;
      Result<HttpResponse> read = client->Request(
          "GET", "/api/conversations?sessionId=" + session +
                     "&appSlug=kafka-app&appSecret=secret-for-kafka-app-0123456789");
      ASSERT_TRUE(read.ok());
      EXPECT_EQ(read->status, 200) << read->body;
    }
  });
}

TEST_F(KafkaTest, ABrokerDownDuringIngestThenBackUp) {
  // Each broker in turn, so the one leading the app's partition is among them.
  IngestThrough([this](std::unique_ptr<ServerProcess>*, TempDir*, const IngestLoad&) {
    for (int broker = 1; broker <= 3; ++broker) {
      ASSERT_TRUE(kafka_.Command("broker-down " + std::to_string(broker)));
      std::this_thread::sleep_for(milliseconds(700));
      ASSERT_TRUE(kafka_.Command("broker-up " + std::to_string(broker)));
      std::this_thread::sleep_for(milliseconds(300));
    }
  });
}

TEST_F(KafkaTest, InjectedProduceErrorsIncludingTransportFailures) {
  IngestThrough([this](std::unique_ptr<ServerProcess>*, TempDir*, const IngestLoad&) {
    ASSERT_TRUE(kafka_.Command("produce-errors 5 6"));     // NOT_LEADER_OR_FOLLOWER
    ASSERT_TRUE(kafka_.Command("produce-errors 5 7"));     // REQUEST_TIMED_OUT
    ASSERT_TRUE(kafka_.Command("produce-errors 3 -195"));  // transport failure
    // The fault happened: every injected error was returned to a producer (while writers go
    // on). Brokers that lead no partition of the app never see a produce; count only the others.
    const int64_t pushed = 13 * 3;  // 13 errors on each of the 3 brokers
    int64_t pending = pushed;
    for (int i = 0; i < 500 && pending == pushed; ++i) {
      std::string answer = kafka_.Ask("pending-errors");
      ASSERT_TRUE(answer.starts_with("ok ")) << answer;
      pending = std::stoll(answer.substr(3));
      if (pending == pushed) std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_LT(pending, pushed) << "no injected produce error was ever hit";
  });
}

TEST_F(KafkaTest, PartitionLeadersMove) {
  IngestThrough([this](std::unique_ptr<ServerProcess>*, TempDir*, const IngestLoad& load) {
    for (int round = 0; round < 3; ++round) {
      for (int p = 0; p < 3; ++p) {
        ASSERT_TRUE(kafka_.Command("leader " + std::to_string(p) + " " +
                                   std::to_string((p + round + 1) % 3 + 1)));
      }
      // Writes acknowledged after the move went to the new leaders (the mock refuses a produce
      // to any other broker), so the producers really followed it: wait for them, not a window.
      ASSERT_TRUE(load.WaitForAcks(load.acked() + 100, 60)) << "no write after leaders moved";
    }
  });
}

TEST_F(KafkaTest, ANodeKilledMidStreamRestartsOnItsDataAndCatchesUp) {
  IngestThrough([this](std::unique_ptr<ServerProcess>* nodes, TempDir* dirs, const IngestLoad&) {
    nodes[0]->Kill();
    nodes[0] = StartNode(dirs[0]);
  });
}

TEST_F(KafkaTest, APoisonRecordIsDeadLetteredAndTheProcessorGoesOn) {
  TempDir dir;
  auto node = StartNode(dir);
  TestApp app = CreateApp(*node->Client(), "poisoned");
  ASSERT_TRUE(kafka_.Command("poison 0 not an event at all"));
  ASSERT_TRUE(kafka_.Command(
      R"(poison 1 {"id":"evt_1","type":"messages.added","version":1,"appId":"app_0000000000000000","ts":1,"payload":{"messages":[{"content":"no session"}]}})"));
  IngestLoad load("poisoned", app.secret);
  load.Start(node->port(), 2, "after");
  ASSERT_TRUE(load.WaitForAcks(50, 30));
  load.Stop();
  EXPECT_GE(load.ExpectEachAckedOnce(node->port()), 50u);

  Result<HttpResponse> r =
      node->Client()->Request("GET", "/api/admin/dead-letters", "",
                              {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find(R"("partition":0)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("not valid JSON"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("partition":1)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("lacks sessionId"), std::string::npos) << r->body;
  EXPECT_EQ(Metric(node->port(), "voxbase_processor_dead_letters_total{"), 2);
  Result<HttpResponse> ready = node->Client()->Request("GET", "/readyz");
  EXPECT_EQ(ready->status, 200);
}

// Issue 29: a producer that writes a batch twice (librdkafka #4953 during a leader change) puts
// the same events at new offsets. They are applied once, counted, and a replay decides the same.
TEST_F(KafkaTest, AnEventProducedTwiceIsAppliedOnce) {
  TempDir dir;
  auto node = StartNode(dir);
  TestApp app = CreateApp(*node->Client(), "twice");
  // Event time now: ids are remembered for an hour of event time behind the newest applied.
  const std::string now = std::to_string(static_cast<int64_t>(std::time(nullptr)) * 1000);
  const std::string event =
      R"({"id":"evt_00000000000000aa","type":"messages.added","version":1,"appId":")" + app.app_id +
      R"(","ts":)" + now + R"(,"payload":{"messages":[{"id":"msg_aa.0",)" +
      R"("sessionId":"dup","role":"user","content":"only once","isFinal":true,"createdAt":)" + now +
      "}]}}";
  for (int copy = 0; copy < 3; ++copy) ASSERT_TRUE(kafka_.Command("poison 2 " + event));
  const std::string messages = "/api/messages?sessionId=dup&appSlug=twice&appSecret=" + app.secret;
  std::string body;
  for (int i = 0;
       i < 200 && Metric(node->port(), "voxbase_processor_duplicates_skipped_total{") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Metric(node->port(), "voxbase_processor_duplicates_skipped_total{"), 2);
  Result<HttpResponse> r = node->Client()->Request("GET", messages);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  size_t seen = 0;
  for (size_t at = r->body.find("only once"); at != std::string::npos;
       at = r->body.find("only once", at + 1)) {
    ++seen;
  }
  EXPECT_EQ(seen, 1u) << r->body;
}

TEST_F(KafkaTest, ReplayFromTheTopicMatchesTheLiveProjections) {
  TempDir dir;
  auto node = StartNode(dir);
  TestApp app = CreateApp(*node->Client(), "replayed");
  IngestLoad load("replayed", app.secret);
  load.Start(node->port(), 4, "s");
  ASSERT_TRUE(load.WaitForAcks(200, 30));
  load.Stop();
  node->Stop();
  std::string live = Checksum(dir);
  std::vector<std::string> args = {"replay", "--data-dir", dir.path()};
  for (const std::string& f : kafka_.NodeFlags()) args.push_back(f);
  CommandOutput replay = RunVoxbase(args);
  ASSERT_EQ(replay.exit_code, 0) << replay.stderr_text;
  EXPECT_EQ(Checksum(dir), live);
}

}  // namespace
}  // namespace voxbase::testing

namespace voxbase::testing {
namespace {

// `voxbase dev-kafka` started from a script or a supervisor (stdin at EOF) keeps running until a
// signal; it used to exit at once, leaving nodes with "3/3 brokers are down".
TEST(DevKafkaTest, RunsOnWithStdinClosedUntilSigterm) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    ::close(out[0]);
    ::execl(VOXBASE_BINARY, VOXBASE_BINARY, "dev-kafka", "--brokers", "1", "--partitions", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  ::close(out[1]);
  // Its first line (the bootstrap servers) says it is up, its signals handled.
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') {
  }
  ASSERT_EQ(c, '\n') << "dev-kafka never said it was up";
  int status = 0;
  for (int i = 0; i < 50; ++i) {  // half a second of being alive
    ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "dev-kafka exited with stdin closed";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGTERM);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(out[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace voxbase::testing
