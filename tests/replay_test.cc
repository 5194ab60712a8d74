// Replay is identical (DESIGN.md invariant 4), and the projections are a pure function of the log
// (invariant 2): rebuilding from the log, by `voxbase replay` or by deleting the store and
// restarting, gives the same digest as the store the live server built.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

void WriteOneOfEverything(BlockingHttpClient& client, const TestApp& app) {
  const std::string auth = R"("appSlug":")" + app.slug + R"(","appSecret":")" + app.secret + "\"";
  for (int i = 0; i < 5; ++i) {
    std::string s = "s" + std::to_string(i);
    ASSERT_EQ(client
                  .Request("POST", "/api/events",
                           "{" + auth + R"(,"events":[{"type":"start","sessionId":")" + s +
                               R"(","data":{"i":)" + std::to_string(i) + "}}]}")
                  ->status,
              200);
    ASSERT_EQ(client
                  .Request("POST", "/api/messages",
                           "{" + auth + R"(,"messages":[{"sessionId":")" + s +
                               R"(","role":"user","content":"hello"}]})")
                  ->status,
              200);
    ASSERT_EQ(client
                  .Request("POST", "/api/conversations",
                           "{" + auth + R"(,"sessionId":")" + s + R"(","status":"active"})")
                  ->status,
              200);
    ASSERT_EQ(
        client
            .Request("POST", "/api/conversations",
                     "{" + auth + R"(,"sessionId":")" + s +
                         R"(","status":"resolved","startedAt":)" + std::to_string(10 + i) + "}")
            ->status,
        200);
  }
  // Sessions: a user token, an operator token, one revoked, then every token before now.
  ASSERT_EQ(
      client.Request("POST", "/api/auth/session", "{" + auth + R"(,"sessionId":"s0"})")->status,
      200);
  Result<HttpResponse> op =
      client.Request("POST", "/api/auth/session", "{" + auth + R"(,"role":"operator"})");
  ASSERT_EQ(op->status, 200);
  ASSERT_EQ(client
                .Request("DELETE", "/api/auth/session",
                         "{" + auth + R"(,"sessionToken":")" +
                             JsonString(op->body, "sessionToken") + "\"}")
                ->status,
            200);
  ASSERT_EQ(client.Request("POST", "/api/auth/session/revoke-all", "{" + auth + "}")->status, 200);
  ASSERT_EQ(client.Request("POST", "/api/auth/session", "{" + auth + "}")->status, 200);
  // A batch for one session: one run row, large enough to be kept in a blob file.
  std::string batch;
  for (int i = 0; i < 40; ++i) {
    batch += std::string(i ? "," : "") +
             R"({"sessionId":"batched","role":"agent","content":"part )" + std::to_string(i) +
             R"( of a long answer, long enough to add up"})";
  }
  ASSERT_EQ(client.Request("POST", "/api/messages", "{" + auth + R"(,"messages":[)" + batch + "]}")
                ->status,
            200);

  // knowledgeDocuments, its chunks and indexes, and knowledgeGaps.
  ASSERT_EQ(client
                .Request("POST", "/api/knowledge",
                         "{" + auth + R"(,"title":"Returns","content":"Return within 30 days."})")
                ->status,
            200);
  ASSERT_EQ(client
                .Request("POST", "/api/knowledge",
                         "{" + auth +
                             R"(,"documentId":"gone-1","title":"Gone","content":"Deleted soon."})")
                ->status,
            200);
  ASSERT_EQ(
      client.Request("DELETE", "/api/knowledge", "{" + auth + R"(,"documentId":"gone-1"})")->status,
      200);
  ASSERT_EQ(client
                .Request("POST", "/api/knowledge/search",
                         "{" + auth + R"(,"query":"do you deliver to the moon"})")
                ->status,
            200);
  // The search records its gap after answering: wait for it, then dismiss it.
  std::string gap_id;
  for (int i = 0; i < 100 && gap_id.empty(); ++i) {
    Result<HttpResponse> gaps = client.Request(
        "GET", "/api/knowledge/gaps?appSlug=" + app.slug + "&appSecret=" + app.secret);
    ASSERT_TRUE(gaps.ok());
    size_t at = gaps->body.find("\"gapId\":\"");
    if (at != std::string::npos)
      gap_id = gaps->body.substr(at + 9, gaps->body.find('"', at + 9) - at - 9);
    if (gap_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(gap_id.empty()) << "no gap was recorded";
  ASSERT_EQ(client
                .Request("PATCH", "/api/knowledge/gaps",
                         "{" + auth + R"(,"gapId":")" + gap_id + R"(","status":"dismissed"})")
                ->status,
            200);

  // insights: a call with its end reason, turn metrics, then a new zone and a call counted in it.
  ASSERT_EQ(client
                .Request("POST", "/api/conversations",
                         "{" + auth +
                             R"(,"sessionId":"ended","status":"resolved","startedAt":1000,)"
                             R"("endedAt":61000,"endReason":"transfer"})")
                ->status,
            200);
  ASSERT_EQ(client
                .Request("POST", "/api/events",
                         "{" + auth +
                             R"(,"events":[{"type":"turn.metrics","sessionId":"ended",)"
                             R"("data":{"e2eLatencyMs":910,"llmTtftMs":340,"promptTokens":12}}]})")
                ->status,
            200);
  ASSERT_EQ(client
                .Request("PATCH", "/api/analytics/settings",
                         "{" + auth + R"(,"timezone":"America/Sao_Paulo"})")
                ->status,
            200);
  ASSERT_EQ(client
                .Request("POST", "/api/conversations",
                         "{" + auth + R"(,"sessionId":"late","startedAt":86399000})")
                ->status,
            200);
}

std::string Checksum(const std::string& dir) {
  CommandOutput out = RunVoxbase({"checksum", "--data-dir", dir});
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  return out.stdout_text;
}

TEST(ReplayTest, ReplayAndRebuildFromScratchMatchTheLiveDigest) {
  TempDir dir;
  {
    ServerProcess server(dir.path());
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    TestApp app = CreateApp(*client, "replayed");
    WriteOneOfEverything(*client, app);

    // The log is held by the server: replay must refuse rather than race it.
    CommandOutput refused = RunVoxbase({"replay", "--data-dir", dir.path()});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.stderr_text.find("in use"), std::string::npos) << refused.stderr_text;
    server.Stop();
  }
  std::string live = Checksum(dir.path());
  ASSERT_EQ(live.size(), 65u);

  CommandOutput replay = RunVoxbase({"replay", "--data-dir", dir.path()});
  ASSERT_EQ(replay.exit_code, 0) << replay.stderr_text;
  EXPECT_NE(replay.stderr_text.find("replay: rebuilt"), std::string::npos) << replay.stderr_text;
  EXPECT_EQ(Checksum(dir.path()), live);

  // No store at all: the server rebuilds it from the log on start.
  std::filesystem::remove_all(dir.path() + "/projections");
  {
    ServerProcess server(dir.path());
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    server.Stop();
  }
  EXPECT_EQ(Checksum(dir.path()), live);
}

// Issue 33: searches just before SIGTERM left knowledge.searched records in the log that the
// stop did not apply, so the checksum after a clean stop differed from the replayed one (in
// knowledgeGaps). A clean stop applies the whole log before it closes the store.
TEST(ReplayTest, ACleanStopRightAfterABurstOfSearchesHasAppliedThemAll) {
  TempDir dir;
  {
    ServerProcess server(dir.path());
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    TestApp app = CreateApp(*client, "burst");
    const std::string auth = R"("appSlug":"burst","appSecret":")" + app.secret + R"(")";
    ASSERT_EQ(
        client
            ->Request("POST", "/api/knowledge",
                      "{" + auth + R"(,"title":"Returns","content":"Return within 30 days."})")
            ->status,
        200);
    // Questions nobody answered, from four clients at once, each opening or folding into a gap,
    // until the stop: the processor is behind the searches when the SIGTERM comes.
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::atomic<int> running{4};
    std::vector<std::thread> searchers;
    for (int t = 0; t < 4; ++t) {
      searchers.emplace_back([&, t] {
        auto own = server.Client();
        for (int i = 0; !stop; ++i) {
          Result<HttpResponse> r =
              own->Request("POST", "/api/knowledge/search",
                           "{" + auth + R"(,"query":"does spaceship )" +
                               std::to_string(t * 100000 + i) + R"( come in purple"})");
          if (!r.ok() || r->status != 200) break;
          ++answered;
        }
        --running;
      });
    }
    // Under ASan each gap fold costs several times more: 2000 searches left the processor more
    // than the stop's 10 s bound behind when another test ran beside it (seen once in ctest -j2),
    // which is a stop that gives up, not one that forgets; 500 still stops it mid-burst.
#ifdef __SANITIZE_ADDRESS__
    constexpr int kBeforeStop = 500;
#else
    constexpr int kBeforeStop = 2000;
#endif
    while (answered < kBeforeStop && running == 4) std::this_thread::yield();
    EXPECT_EQ(running, 4) << "a search failed before the stop";
    server.Stop();  // while searches are in flight
    stop = true;
    for (std::thread& t : searchers) t.join();
  }
  std::string live = Checksum(dir.path());
  ASSERT_EQ(RunVoxbase({"replay", "--data-dir", dir.path()}).exit_code, 0);
  EXPECT_EQ(Checksum(dir.path()), live);
}

size_t Segments(const std::string& data_dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/log")) {
    n += e.path().string().ends_with(".log");
  }
  return n;
}

void WriteMessages(BlockingHttpClient& client, const TestApp& app, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(client
                  .Request("POST", "/api/messages",
                           R"({"appSlug":")" + app.slug + R"(","appSecret":")" + app.secret +
                               R"(","messages":[{"sessionId":"bulk","role":"user","content":"m)" +
                               std::to_string(i) + R"("}]})")
                  ->status,
              200);
  }
}

// Snapshots and log retention (issue 7): once segments below a snapshot are gone, a rebuild
// starts from the snapshot and must still equal what the live server built.
TEST(ReplayTest, AfterRetentionReplayAndRestoreStartFromASnapshotAndMatchTheLiveDigest) {
  TempDir dir;
  const std::vector<std::string> flags = {"--segment-bytes",  "4096", "--log-retention", "delete",
                                          "--keep-snapshots", "1"};
  const std::vector<std::pair<std::string, std::string>> admin = {
      {"Authorization", std::string("Bearer ") + kAdminToken}};
  TestApp app;
  {
    // A clean stop leaves a knowledge-index snapshot at this early position.
    ServerProcess server(dir.path(), flags);
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    app = CreateApp(*client, "retained");
    WriteOneOfEverything(*client, app);
    server.Stop();
  }
  {
    ServerProcess server(dir.path(), flags);
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    WriteMessages(*client, app, 150);
    const size_t before = Segments(dir.path());

    EXPECT_EQ(client->Request("POST", "/api/admin/snapshots")->status, 401);
    Result<HttpResponse> taken = client->Request("POST", "/api/admin/snapshots", "", admin);
    ASSERT_TRUE(taken.ok());
    ASSERT_EQ(taken->status, 201) << taken->body;
    EXPECT_NE(taken->body.find("\"keptSnapshots\":1"), std::string::npos) << taken->body;
    const size_t at = taken->body.find("\"removedSegments\":");
    ASSERT_NE(at, std::string::npos) << taken->body;
    const int64_t removed = std::stoll(taken->body.substr(at + 18));
    EXPECT_GT(removed, 0) << taken->body;
    EXPECT_EQ(Segments(dir.path()), before - static_cast<size_t>(removed));
    // The session logs' runs live in blob files (projections/tables.cc): the snapshot has them,
    // and the restore and replay below must carry them over.
    bool blob = false;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path() + "/snapshots")) {
      blob = blob || e.path().extension() == ".blob";
    }
    EXPECT_TRUE(blob) << "no blob file in the snapshot";

    Result<HttpResponse> listed = client->Request("GET", "/api/admin/snapshots", "", admin);
    ASSERT_TRUE(listed.ok() && listed->status == 200);
    EXPECT_EQ(listed->body.find("\"logStartOffsets\":[0]"), std::string::npos) << listed->body;

    // Writes after the snapshot are the tail a rebuild replays; reads still see everything.
    WriteMessages(*client, app, 40);
    Result<HttpResponse> read = client->Request(
        "GET", "/api/messages?sessionId=s1&appSlug=" + app.slug + "&appSecret=" + app.secret);
    ASSERT_TRUE(read.ok() && read->status == 200);
    EXPECT_NE(read->body.find("hello"), std::string::npos);
    // kill -9: the knowledge index snapshot on disk is older than the log's new start, so the
    // next start must build the index from the projections rather than need removed records.
    server.Kill();
  }
  {
    ServerProcess server(dir.path(), flags);
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    Result<HttpResponse> search =
        client->Request("POST", "/api/knowledge/search",
                        R"({"appSlug":")" + app.slug + R"(","appSecret":")" + app.secret +
                            R"(","query":"return within 30 days"})");
    ASSERT_TRUE(search.ok() && search->status == 200);
    EXPECT_NE(search->body.find("Returns"), std::string::npos) << search->body;
    server.Stop();
  }
  std::string live = Checksum(dir.path());

  // The log no longer starts at 0: replay starts from the snapshot.
  CommandOutput replay = RunVoxbase({"replay", "--data-dir", dir.path()});
  ASSERT_EQ(replay.exit_code, 0) << replay.stderr_text;
  EXPECT_NE(replay.stderr_text.find("replay: from"), std::string::npos) << replay.stderr_text;
  EXPECT_EQ(Checksum(dir.path()), live);

  // No projections: the server restores the snapshot and applies the tail.
  std::filesystem::remove_all(dir.path() + "/projections");
  {
    ServerProcess server(dir.path(), flags);
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    server.Stop();
  }
  EXPECT_EQ(Checksum(dir.path()), live);

  // Offline, `voxbase snapshot` does the same as the endpoint.
  CommandOutput offline = RunVoxbase(
      {"snapshot", "--data-dir", dir.path(), "--log-retention", "delete", "--keep-snapshots", "1"});
  ASSERT_EQ(offline.exit_code, 0) << offline.stderr_text;
  EXPECT_NE(offline.stdout_text.find("1 snapshots kept"), std::string::npos) << offline.stdout_text;
  EXPECT_EQ(Checksum(dir.path()), live);

  // Neither projections nor a snapshot: the log alone cannot rebuild them, and start says so.
  std::filesystem::remove_all(dir.path() + "/projections");
  std::filesystem::remove_all(dir.path() + "/snapshots");
  CommandOutput refused = RunVoxbase({"serve", "--port", "0", "--data-dir", dir.path()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.stderr_text.find("removed by retention"), std::string::npos)
      << refused.stderr_text;
  CommandOutput no_replay = RunVoxbase({"replay", "--data-dir", dir.path()});
  EXPECT_EQ(no_replay.exit_code, 1);
  EXPECT_NE(no_replay.stderr_text.find("cannot be rebuilt"), std::string::npos)
      << no_replay.stderr_text;
}

TEST(ReplayTest, SnapshotOfARunningServerIsRefusedOfflineAndStartOnAFullDiskExitsCleanly) {
  TempDir dir;
  {
    ServerProcess server(dir.path(), {"--snapshot-every-s", "1", "--keep-snapshots", "2"});
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    // The timer takes them on its own, and keeps two.
    auto client = server.Client();
    const std::vector<std::pair<std::string, std::string>> admin = {
        {"Authorization", std::string("Bearer ") + kAdminToken}};
    std::string listed;
    for (int i = 0; i < 100; ++i) {
      Result<HttpResponse> r = client->Request("GET", "/api/admin/snapshots", "", admin);
      ASSERT_TRUE(r.ok() && r->status == 200);
      listed = r->body;
      if (listed.find("\"snapshot-", listed.find("\"snapshot-") + 1) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(listed.find("\"snapshot-", listed.find("\"snapshot-") + 1), std::string::npos)
        << "no second timed snapshot within 10 s: " << listed;
    Result<HttpResponse> metrics = client->Request("GET", "/metrics");
    ASSERT_TRUE(metrics.ok());
    EXPECT_EQ(metrics->body.find("voxbase_snapshots_total{result=\"ok\"} 0"), std::string::npos);
    EXPECT_NE(metrics->body.find("voxbase_snapshots_total{result=\"ok\"}"), std::string::npos);
    CommandOutput offline = RunVoxbase({"snapshot", "--data-dir", dir.path()});
    EXPECT_EQ(offline.exit_code, 1);
    EXPECT_NE(offline.stderr_text.find("POST /api/admin/snapshots"), std::string::npos)
        << offline.stderr_text;
    server.Stop();
  }
  // Less free space than the floor: a clear message and exit 1, never an abort, nothing changed.
  CommandOutput full = RunVoxbase(
      {"serve", "--port", "0", "--data-dir", dir.path(), "--min-free-bytes", "1125899906842624"});
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_NE(full.stderr_text.find("bytes are free"), std::string::npos) << full.stderr_text;
}

// --log-preallocate-mb: with 0 the open segment holds exactly its records, by default it runs
// ahead of them in zeros; out of range, the server refuses to start and says why.
uint64_t AppendedBytes(BlockingHttpClient& client) {
  const double bytes = MetricValue(client, "voxbase_log_appended_bytes_total ");
  EXPECT_GE(bytes, 0) << "no voxbase_log_appended_bytes_total in /metrics";
  return static_cast<uint64_t>(bytes);
}

TEST(ReplayTest, LogPreallocationRunsAheadInZerosCanBeTurnedOffAndIsBounded) {
  for (const char* megabytes : {"0", "8"}) {
    TempDir dir;
    ServerProcess server(dir.path(), {"--log-preallocate-mb", megabytes});
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    TestApp app = CreateApp(*client, "prealloc");
    WriteMessages(*client, app, 20);
    const std::string segment = dir.path() + "/log/00000000000000000000.log";
    const uint64_t records = AppendedBytes(*client);
    uint64_t size = std::filesystem::file_size(segment);
    for (int i = 0; i < 100 && std::string(megabytes) != "0" && size <= records; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      size = std::filesystem::file_size(segment);
    }
    if (std::string(megabytes) == "0") {
      EXPECT_EQ(size, records) << "no zeros ahead with --log-preallocate-mb 0";
    } else {
      EXPECT_GT(size, records) << "the filler never ran ahead";
      EXPECT_LE(size, records + (8u << 20));
    }
    server.Stop();
    EXPECT_EQ(std::filesystem::file_size(segment), records) << "a clean stop cuts the zeros";
  }
  TempDir dir;
  CommandOutput refused = RunVoxbase(
      {"serve", "--port", "0", "--data-dir", dir.path(), "--log-preallocate-mb", "4096"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.stderr_text.find("--log-preallocate-mb must be an integer from 0 to 1024"),
            std::string::npos)
      << refused.stderr_text;
}

}  // namespace
}  // namespace voxbase::testing
