// An ack means durable (DESIGN.md invariants 3, 4, 5): kill -9 the server in the middle of
// concurrent ingest, twice, restart it on the same data, and check that every acknowledged message
// is there exactly once; then that the projections equal a replay of the log.
#include <gtest/gtest.h>

#include "tests/support/ingest_load.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

TEST(CrashTest, AcknowledgedWritesSurviveKill9ExactlyOnceAndMatchReplay) {
  TempDir dir;
  std::unique_ptr<IngestLoad> load;
  for (int round = 0; round < 2; ++round) {
    ServerProcess server(dir.path());
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    if (round == 0) {
      TestApp app = CreateApp(*server.Client(), "crash");
      load = std::make_unique<IngestLoad>("crash", app.secret);
    }
    load->Start(server.port(), 8, "writer");
    ASSERT_TRUE(load->WaitForAcks(300 * (round + 1), 20)) << "too few writes to mean anything";
    server.Kill();  // under load
    load->Stop();
  }

  ServerProcess server(dir.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  EXPECT_GE(load->ExpectEachAckedOnce(server.port()), 600u);
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
