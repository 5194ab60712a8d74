#include "tests/support/ingest_load.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "tests/support/server_process.h"

namespace voxbase::testing {

std::vector<std::string> AllMessages(BlockingHttpClient& client, const std::string& session,
                                     const std::string& query_auth) {
  std::vector<std::string> out;
  std::string cursor;
  simdjson::dom::parser parser;
  do {
    Result<HttpResponse> r =
        client.Request("GET", "/api/messages?limit=1000&sessionId=" + session + "&" + query_auth +
                                  (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    if (!r.ok() || r->status != 200) break;
    simdjson::dom::array items = parser.parse(r->body)["messages"].get_array().value();
    for (simdjson::dom::element item : items) {
      out.emplace_back(item["content"].get_string().value());
    }
    cursor = JsonString(r->body, "nextCursor");
  } while (!cursor.empty());
  return out;
}

void IngestLoad::Start(uint16_t port, int writers, const std::string& prefix) {
  for (int w = 0; w < writers; ++w) {
    writers_.emplace_back([this, port, session = prefix + "-" + std::to_string(w)] {
      BlockingHttpClient client("127.0.0.1", port, std::chrono::seconds(60));
      const std::string auth = R"("appSlug":")" + slug_ + R"(","appSecret":")" + secret_ + "\"";
      while (!stop_) {
        std::string content = "m" + std::to_string(sequence_++);
        Result<HttpResponse> r =
            client.Request("POST", "/api/messages",
                           "{" + auth + R"(,"messages":[{"sessionId":")" + session +
                               R"(","role":"user","content":")" + content + "\"}]}");
        if (!r.ok()) return;  // the node is gone; this write may or may not have landed
        if (r->status == 200) {
          std::lock_guard<std::mutex> lock(mu_);
          acked_[session].insert(content);
          ++acked_count_;
        } else if (r->status != 503) {
          ADD_FAILURE() << "unexpected answer " << r->status << ": " << r->body;
          return;
        }
      }
    });
  }
}

void IngestLoad::Stop() {
  stop_ = true;
  for (auto& t : writers_) {
    if (t.joinable()) t.join();
  }
  writers_.clear();
  stop_ = false;
}

bool IngestLoad::WaitForAcks(int64_t count, int seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (acked_count_ < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return acked_count_ >= count;
}

size_t IngestLoad::ExpectEachAckedOnce(uint16_t port) const {
  BlockingHttpClient client("127.0.0.1", port);
  std::lock_guard<std::mutex> lock(mu_);
  size_t checked = 0;
  for (const auto& [session, contents] : acked_) {
    std::vector<std::string> stored = AllMessages(client, session, QueryAuth());
    std::set<std::string> unique(stored.begin(), stored.end());
    EXPECT_EQ(unique.size(), stored.size()) << session << " has a message applied twice";
    for (const std::string& content : contents) {
      EXPECT_TRUE(unique.contains(content))
          << "acknowledged " << content << " is missing on port " << port;
    }
    checked += contents.size();
  }
  return checked;
}

}  // namespace voxbase::testing
