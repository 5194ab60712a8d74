// An ack means durable (DESIGN.md invariants 3, 4, 5): kill -9 the server in the middle of
// concurrent ingest, restart it on the same data, and check that every acknowledged message is
// there exactly once; then that the projections equal a replay of the log.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

constexpr int kWriters = 8;

// Every message content in a session, following the cursor to the end.
std::vector<std::string> AllMessages(BlockingHttpClient& client, const std::string& session,
                                     const std::string& query_auth) {
  std::vector<std::string> out;
  std::string cursor;
  simdjson::dom::parser parser;
  do {
    Result<HttpResponse> r =
        client.Request("GET", "/api/messages?limit=1000&sessionId=" + session + "&" + query_auth +
                                  (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_TRUE(r.ok() && r->status == 200);
    if (!r.ok() || r->status != 200) break;
    simdjson::dom::array items = parser.parse(r->body)["messages"].get_array().value();
    for (simdjson::dom::element item : items) {
      out.emplace_back(item["content"].get_string().value());
    }
    cursor = JsonString(r->body, "nextCursor");
  } while (!cursor.empty());
  return out;
}

TEST(CrashTest, AcknowledgedWritesSurviveKill9ExactlyOnceAndMatchReplay) {
  TempDir dir;
  std::map<std::string, std::set<std::string>> acked;  // session → contents
  TestApp app;
  std::mutex mu;
  std::atomic<int> sequence{0};

  for (int round = 0; round < 2; ++round) {
    ServerProcess server(dir.path());
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    if (round == 0) {
      auto admin = server.Client();
      app = CreateApp(*admin, "crash");
    }
    const std::string auth = R"("appSlug":"crash","appSecret":")" + app.secret + "\"";
    std::atomic<bool> stop{false};
    std::atomic<int> acks{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        auto client = server.Client();
        std::string session = "writer-" + std::to_string(w);
        while (!stop) {
          std::string content = "m" + std::to_string(sequence++);
          Result<HttpResponse> r =
              client->Request("POST", "/api/messages",
                              "{" + auth + R"(,"messages":[{"sessionId":")" + session +
                                  R"(","role":"user","content":")" + content + "\"}]}");
          if (!r.ok()) return;  // the server is gone; this request may or may not have landed
          if (r->status == 200) {
            std::lock_guard<std::mutex> lock(mu);
            acked[session].insert(content);
            ++acks;
          }
        }
      });
    }
    // Let ingest run, then crash the server under load.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (acks < 300 * (round + 1) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    server.Kill();
    stop = true;
    for (auto& t : writers) t.join();
    ASSERT_GE(acks.load(), 300) << "too few writes before the crash to mean anything";
  }

  ServerProcess server(dir.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  auto client = server.Client();
  const std::string query_auth = "appSlug=crash&appSecret=" + app.secret;
  size_t total = 0;
  for (int w = 0; w < kWriters; ++w) {
    std::string session = "writer-" + std::to_string(w);
    std::vector<std::string> stored = AllMessages(*client, session, query_auth);
    std::set<std::string> unique(stored.begin(), stored.end());
    EXPECT_EQ(unique.size(), stored.size()) << session << " has a message applied twice";
    for (const std::string& content : acked[session]) {
      EXPECT_TRUE(unique.contains(content)) << "acknowledged " << content << " was lost";
    }
    total += acked[session].size();
  }
  EXPECT_GT(total, 0u);
  server.Stop();

  CommandOutput live = RunVoxbase({"checksum", "--data-dir", dir.path()});
  ASSERT_EQ(live.exit_code, 0) << live.stderr_text;
  CommandOutput replay = RunVoxbase({"replay", "--data-dir", dir.path()});
  ASSERT_EQ(replay.exit_code, 0) << replay.stderr_text;
  CommandOutput rebuilt = RunVoxbase({"checksum", "--data-dir", dir.path()});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.stderr_text;
  EXPECT_EQ(live.stdout_text, rebuilt.stdout_text);
  EXPECT_EQ(live.stdout_text.size(), 65u);  // 64 hex digits and a newline
}

}  // namespace
}  // namespace voxbase::testing
