// Replay is identical (DESIGN.md invariant 4), and the projections are a pure function of the log
// (invariant 2): rebuilding from the log, by `voxbase replay` or by deleting the store and
// restarting, gives the same digest as the store the live server built.
#include <gtest/gtest.h>

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
  ASSERT_EQ(client.Request("POST", "/api/auth/session", "{" + auth + "}")->status, 200);

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

}  // namespace
}  // namespace voxbase::testing
