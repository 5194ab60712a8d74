// Table-driven: every case in cases/bad_input.json is sent to a real server and must get its
// status with a JSON {"error": ...} body, append nothing to the log, and leave the server serving.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::string Generate(std::string_view kind, const std::string& auth) {
  if (kind == "big_batch") {
    std::string body = "{" + auth + ",\"events\":[";
    for (int i = 0; i < 1001; ++i)
      body += std::string(i ? "," : "") + R"({"type":"a","sessionId":"s"})";
    return body + "]}";
  }
  if (kind == "big_data") {
    return "{" + auth + R"(,"events":[{"type":"a","sessionId":"s","data":{"x":")" +
           std::string(70000, 'd') + "\"}}]}";
  }
  if (kind == "deep") {
    return "{" + auth + R"(,"events":[{"type":"a","sessionId":"s","data":)" +
           std::string(100, '[') + std::string(100, ']') + "}]}";
  }
  if (kind == "bad_utf8") {
    return "{" + auth + R"(,"events":[{"type":"a)" + std::string("\xff\xfe") +
           R"(","sessionId":"s"}]})";
  }
  if (kind == "oversized") {
    return "{" + auth + R"(,"messages":[{"sessionId":"s","role":"user","content":")" +
           std::string(2 << 20, 'x') + "\"}]}";
  }
  if (kind == "long_content") {
    return "{" + auth + R"(,"messages":[{"sessionId":"s","role":"user","content":")" +
           std::string(33 * 1024, 'x') + "\"}]}";
  }
  ADD_FAILURE() << "unknown generator " << kind;
  return {};
}

int64_t LogEndOffset(BlockingHttpClient& client) {
  Result<HttpResponse> r = client.Request("GET", "/metrics");
  if (!r.ok()) return -1;
  std::istringstream lines(r->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("voxbase_log_end_offset ")) return std::stoll(line.substr(23));
  }
  return -1;
}

TEST(BadInputTest, EveryCaseGetsItsStatusAndAppendsNothing) {
  TempDir dir;
  ServerProcess server(dir.path());
  ASSERT_NO_FATAL_FAILURE(server.Start());
  ASSERT_TRUE(server.WaitReady());
  auto client = server.Client();
  TestApp app = CreateApp(*client, "bad-input");
  const std::string auth = R"("appSlug":"bad-input","appSecret":")" + app.secret + "\"";
  const std::string query_auth = "appSlug=bad-input&appSecret=" + app.secret;

  std::ifstream file(std::string(VOXBASE_TESTS_DIR) + "/cases/bad_input.json");
  std::stringstream text;
  text << file.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::array cases;
  ASSERT_FALSE(parser.parse(text.str()).get(cases)) << "cases/bad_input.json does not parse";
  ASSERT_GE(cases.size(), 30u);

  const int64_t end_before = LogEndOffset(*client);
  ASSERT_GE(end_before, 1);
  for (simdjson::dom::object c : cases) {
    std::string_view name = c["name"].get_string().value();
    SCOPED_TRACE(std::string(name));
    std::string method(c["method"].get_string().value());
    std::string path = Replace(std::string(c["path"].get_string().value()), "$QAUTH", query_auth);
    std::string body;
    std::string_view raw_body, kind;
    if (!c["body"].get(raw_body)) {
      body =
          Replace(Replace(std::string(raw_body), "$AUTH", auth), "$LONG200", std::string(200, 'L'));
    } else if (!c["generate"].get(kind)) {
      body = Generate(kind, auth);
    }
    std::vector<std::pair<std::string, std::string>> headers;
    simdjson::dom::object h;
    if (!c["headers"].get(h)) {
      for (auto field : h) {
        headers.emplace_back(
            std::string(field.key),
            Replace(std::string(field.value.get_string().value()), "$ADMIN", kAdminToken));
      }
    }
    int64_t expected = c["status"].get_int64().value();

    auto case_client = server.Client();
    Result<HttpResponse> r = case_client->Request(method, path, body, headers);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, expected) << r->body.substr(0, 300);
    EXPECT_EQ(r->content_type, "application/json");
    EXPECT_FALSE(JsonString(r->body, "error").empty()) << r->body.substr(0, 300);
    EXPECT_EQ(LogEndOffset(*client), end_before) << "a refused request appended an event";
  }
  // Still serving, and a good request still works.
  Result<HttpResponse> ok = client->Request(
      "POST", "/api/events", "{" + auth + R"(,"events":[{"type":"a","sessionId":"s"}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(LogEndOffset(*client), end_before + 1);
}

}  // namespace
}  // namespace voxbase::testing
