// Issue 7's data-loss reproductions, against the real binary: a damaged log never costs
// acknowledged data silently, an offset is never reused, and reads say so when the processor has
// stopped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "schemas/event.h"
#include "storage/segment_log.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

std::string LastSegment(const std::string& data_dir) {
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/log")) {
    std::string p = e.path().string();
    if (p.ends_with(".log") && p > last) last = p;
  }
  return last;
}

class LogDamageTest : public ::testing::Test {
 protected:
  void WriteMessages(int n) {
    ServerProcess server(dir_.path());
    ASSERT_NO_FATAL_FAILURE(server.Start());
    ASSERT_TRUE(server.WaitReady());
    auto client = server.Client();
    app_ = CreateApp(*client, "damage");
    for (int i = 0; i < n; ++i) {
      Result<HttpResponse> r =
          client->Request("POST", "/api/messages",
                          R"({"appSlug":"damage","appSecret":")" + app_.secret +
                              R"(","messages":[{"sessionId":"s","role":"user","content":"m)" +
                              std::to_string(i) + R"("}]})");
      ASSERT_TRUE(r.ok() && r->status == 200);
    }
    server.Stop();
  }

  // `voxbase serve` run to its end: it must refuse to start.
  CommandOutput ServeRefused() {
    return RunVoxbase({"serve", "--port", "0", "--data-dir", dir_.path()});
  }

  size_t MessageCount(ServerProcess& server) {
    Result<HttpResponse> r = server.Client()->Request(
        "GET", "/api/messages?sessionId=s&appSlug=damage&appSecret=" + app_.secret);
    EXPECT_TRUE(r.ok() && r->status == 200);
    size_t count = 0;
    for (size_t at = r->body.find("\"content\""); at != std::string::npos;
         at = r->body.find("\"content\"", at + 1)) {
      ++count;
    }
    return count;
  }

  TempDir dir_;
  TestApp app_;
};

TEST_F(LogDamageTest, AFlippedByteMidLogRefusesToStartUntilRepairedAndReplayed) {
  ASSERT_NO_FATAL_FAILURE(WriteMessages(100));
  const std::string segment = LastSegment(dir_.path());
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    auto middle = static_cast<std::streamoff>(std::filesystem::file_size(segment) / 2);
    f.seekg(middle);
    char c = 0;
    f.get(c);
    f.seekp(middle);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  CommandOutput refused = ServeRefused();
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.stderr_text.find(segment), std::string::npos) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("records follow it"), std::string::npos);

  CommandOutput unconfirmed = RunVoxbase({"repair", "--data-dir", dir_.path()});  // no stdin
  EXPECT_NE(unconfirmed.exit_code, 0);
  EXPECT_NE(ServeRefused().exit_code, 0) << "repair without confirmation changed something";

  CommandOutput repaired = RunVoxbase({"repair", "--data-dir", dir_.path(), "--yes"});
  ASSERT_EQ(repaired.exit_code, 0) << repaired.stdout_text << repaired.stderr_text;
  EXPECT_NE(repaired.stdout_text.find("dropping"), std::string::npos) << repaired.stdout_text;
  // The projections still hold the dropped events: starting would reuse their offsets.
  CommandOutput ahead = ServeRefused();
  EXPECT_NE(ahead.exit_code, 0);
  EXPECT_NE(ahead.stderr_text.find("Refusing to start"), std::string::npos) << ahead.stderr_text;

  ASSERT_EQ(RunVoxbase({"replay", "--data-dir", dir_.path()}).exit_code, 0);
  ServerProcess server(dir_.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  size_t kept = MessageCount(server);
  EXPECT_GT(kept, 10u);
  EXPECT_LT(kept, 100u);
  // Every new write is applied and visible: no offset is reused and skipped.
  for (int i = 0; i < 20; ++i) {
    Result<HttpResponse> r = server.Client()->Request(
        "POST", "/api/messages",
        R"({"appSlug":"damage","appSecret":")" + app_.secret +
            R"(","messages":[{"sessionId":"s","role":"user","content":"new"}]})");
    ASSERT_TRUE(r.ok() && r->status == 200);
  }
  EXPECT_EQ(MessageCount(server), kept + 20);
}

TEST_F(LogDamageTest, ALostAcknowledgedTailRefusesToStartInsteadOfReusingItsOffset) {
  ASSERT_NO_FATAL_FAILURE(WriteMessages(10));
  const std::string segment = LastSegment(dir_.path());
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 5);
  CommandOutput refused = ServeRefused();
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.stderr_text.find("acknowledged events are missing"), std::string::npos)
      << refused.stderr_text;
}

TEST_F(LogDamageTest, WhileTheProcessorIsStoppedTheApiAnswers503NotStaleRows) {
  ASSERT_NO_FATAL_FAILURE(WriteMessages(3));
  {
    // An event of a type this build does not know: the processor stops at it, loudly.
    SegmentLogOptions options;
    options.dir = dir_.path() + "/log";
    Result<std::unique_ptr<SegmentLog>> log = SegmentLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    std::string record =
        R"({"id":"evt_00000000000000ff","type":"from.the.future","version":1,"appId":")" +
        app_.app_id + R"(","ts":1,"payload":{}})";
    ASSERT_TRUE((*log)->AppendAndWait(app_.app_id, record).ok());
  }
  ServerProcess server(dir_.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  auto client = server.Client();
  Result<HttpResponse> read = InvalidArgument("not sent");
  for (int i = 0; i < 200; ++i) {
    read =
        client->Request("GET", "/api/messages?sessionId=s&appSlug=damage&appSecret=" + app_.secret);
    if (read.ok() && read->status == 503 &&
        read->body.find("processor stopped") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, 503) << read->body;
  EXPECT_NE(read->body.find("from.the.future"), std::string::npos) << read->body;
  EXPECT_EQ(client->Request("GET", "/readyz")->status, 503);
  EXPECT_EQ(client->Request("GET", "/healthz")->status, 200);
  Result<HttpResponse> admin =
      client->Request("GET", "/api/admin/dead-letters", "",
                      {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->status, 200) << "the admin API stays open for the operator";
}

}  // namespace
}  // namespace voxbase::testing
