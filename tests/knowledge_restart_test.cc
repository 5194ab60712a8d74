// The knowledge index is a projection that survives restarts: from its snapshot after a clean
// stop, from an older snapshot plus the log's tail after kill -9, and from the knowledgeDocuments
// projection when the snapshot is missing or damaged. The same questions get the same answers
// each way. --hnsw-threshold 20 puts the app's vectors in an HNSW graph, so the graph's snapshot
// and rebuild are what is exercised.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

class KnowledgeRestartTest : public ::testing::Test {
 protected:
  void Start() {
    server_ = std::make_unique<ServerProcess>(dir_.path(),
                                              std::vector<std::string>{"--hnsw-threshold", "20"});
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
  }
  std::string Auth() const {
    return R"("appSlug":")" + app_.slug + R"(","appSecret":")" + app_.secret + "\"";
  }
  void Add(const std::string& title, const std::string& content) {
    Result<HttpResponse> r = client_->Request(
        "POST", "/api/knowledge",
        "{" + Auth() + R"(,"title":")" + title + R"(","content":")" + content + "\"}");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::string Search(const std::string& query) {
    Result<HttpResponse> r = client_->Request(
        "POST", "/api/knowledge/search", "{" + Auth() + R"(,"query":")" + query + R"(","topK":5})");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return r.ok() ? r->body : "";
  }
  std::string SnapshotPath() const { return dir_.path() + "/projections/knowledge-index.snapshot"; }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
  TestApp app_;
};

TEST_F(KnowledgeRestartTest, SameAnswersFromTheSnapshotTheTailAndTheProjection) {
  ASSERT_NO_FATAL_FAILURE(Start());
  app_ = CreateApp(*client_, "kb");
  const char* topics[] = {"shipping", "refunds",   "passwords", "invoices", "warranty",
                          "parking",  "breakfast", "luggage",   "tickets",  "vouchers"};
  for (int i = 0; i < 30; ++i) {
    std::string topic = topics[i % 10];
    ASSERT_NO_FATAL_FAILURE(Add(topic + " question " + std::to_string(i),
                                "All about " + topic + " for customers of branch " +
                                    std::to_string(i) + ". Ask us about " + topic + " any day."));
  }
  const std::string before = Search("how do refunds work at the branch");
  ASSERT_NE(before.find("refunds question"), std::string::npos) << before;

  server_->Stop();
  ASSERT_TRUE(std::filesystem::exists(SnapshotPath())) << "a clean stop writes the snapshot";
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Search("how do refunds work at the branch"), before) << "from the snapshot";

  // Written after the snapshot, then kill -9: the next start loads the older snapshot and is fed
  // the tail of the log.
  ASSERT_NO_FATAL_FAILURE(Add("Penguin care", "Emperor penguins need cold water and fresh fish."));
  server_->Kill();
  ASSERT_NO_FATAL_FAILURE(Start());
  std::string penguins = Search("what do emperor penguins need");
  EXPECT_NE(penguins.find("Penguin care"), std::string::npos) << penguins;
  const std::string refunds = Search("how do refunds work at the branch");

  // No snapshot: rebuilt from the projection.
  server_->Stop();
  std::filesystem::remove(SnapshotPath());
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Search("how do refunds work at the branch"), refunds) << "from the projection";
  EXPECT_EQ(Search("what do emperor penguins need"), penguins);

  // A damaged snapshot is not loaded: rebuilt from the projection again.
  server_->Stop();
  {
    std::fstream f(SnapshotPath(), std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    f.seekp(100);
    f.write("garbage", 7);
  }
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Search("how do refunds work at the branch"), refunds) << "past a damaged snapshot";
  EXPECT_EQ(Search("what do emperor penguins need"), penguins);
}

}  // namespace
}  // namespace voxbase::testing
