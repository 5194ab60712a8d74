// The case files: every tests/cases/*.json is a sequence of steps run against the real binary on a
// fresh data directory, with an app ("case-app") and a second app ("other-app") already made.
//
// A file may also give "env": {"NAME": "value"} for the server (e.g. provider keys), and
// "upstream": {"/path": {"status", "body" (JSON) | "text", "retryAfter", "delayMs"}}: a fake
// upstream on loopback answering those paths, whose URL is "${upstream}" (for a *_BASE_URL in
// "env"). A step is one of:
//   {"name": …, "request": {"method", "path", "body" (JSON) | "rawBody" (text) | "generate",
//                           "headers", "auth": "secret" (default) | "token" | "admin" | "none",
//                           "token": "${var}" (with auth "token"; default ${token}),
//                           "app": "other"},
//    "status": 200, "expect": {"a.b[0].c": value | "<any>" | "<absent>" | "<nonempty>",
//                              "$body": "the whole answer, e.g. ${saved}"},
//    "answer": the whole answer as JSON ("<any>" and "<nonempty>" strings match any value),
//    "error": "text the error answer's message contains" (required when status is 4xx/5xx),
//    "save": {"var": "a.b" | "$body"}, "appends": N,
//    "expectHeaders": {"Retry-After": "7" | "<absent>"}}
//   {"restart": true}   stop the server (SIGTERM) and start it again on the same data
//   {"kill": true}      kill -9 the server and start it again
//   {"replay": true}    stop; checksum the live projections; `voxbase replay`; the checksum must be
//                       equal; start again
//   {"settle": true}    wait until what the server appends on its own after an answer (a search's
//                       record for gap detection) is on the log and applied
// Auth goes into a JSON body as appSlug/appSecret (or sessionToken), into a GET's query string,
// or as the admin bearer token. "${var}" in any string is replaced by a saved value ("token", a
// user token of session "browser"; "operatorToken"; "appId" and "otherAppId" are there from the
// start); "$LONG200" by 200 letters; "$AUTH" in a
// rawBody and "$QAUTH" in a path by the app's secret credentials. "appends" is how far the log's
// end must move (0 for a refused request): when given, the step also checks the answer is JSON.
// The count is waited for (up to 10 s) before it is compared, because a search appends its record
// after its answer: every answered search says "appends": 1, so the record cannot land inside a
// later step's count.
// Every error answer must be {"error": …}. VOXBASE_CASES_RECORD_ERRORS=<file> lists the error steps
// that lack "error", with what their answer said, instead of failing them. A key the runner does
// not know fails the file (a misspelt "expect" would otherwise check nothing), and so does a
// request step without "status".
#include <gtest/gtest.h>
#include <simdjson.h>
#include <strings.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/fake_upstream.h"
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
  if (kind == "big_document") {  // one byte over the 256 KiB a document may hold
    return "{" + auth + R"(,"title":"Big","content":")" + std::string(256 * 1024 + 1, 'x') + "\"}";
  }
  if (kind == "long_document") {  // 40 KiB of sentences: many overlapping chunks
    std::string content;
    for (int i = 0; content.size() < 40 * 1024; ++i) {
      content += "Sentence " + std::to_string(i) + " is about warehouse shelf number " +
                 std::to_string(i * 7) + " and what it holds. ";
    }
    return "{" + auth + R"(,"title":"Warehouse guide","category":"warehouse","content":")" +
           content + "\"}";
  }
  ADD_FAILURE() << "unknown generator " << kind;
  return {};
}

// An optional field of a step, or `fallback`.
template <typename T>
T Field(simdjson::dom::object obj, std::string_view key, T fallback) {
  T value;
  return obj[key].get(value) ? fallback : value;
}

// Fails the case for any key of `obj` not in `known`.
void CheckKeys(simdjson::dom::object obj, std::initializer_list<std::string_view> known,
               std::string_view what) {
  for (auto field : obj) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || field.key == k;
    EXPECT_TRUE(ok) << what << " has a key the runner does not know: \"" << field.key << "\"";
  }
}

// Whether `got` is `want`, where a "<any>" string in `want` matches any value and "<nonempty>"
// any non-empty string; `where` says where they first differ.
bool Matches(simdjson::dom::element got, simdjson::dom::element want, std::string& where,
             const std::function<std::string(std::string)>& substitute) {
  std::string_view want_text;
  if (!want.get(want_text)) {
    const std::string expected = substitute(std::string(want_text));
    if (expected == "<any>") return true;
    std::string_view got_text;
    if (got.get(got_text)) return false;
    return expected == "<nonempty>" ? !got_text.empty() : got_text == expected;
  }
  simdjson::dom::object want_object, got_object;
  if (!want.get(want_object)) {
    if (got.get(got_object) || got_object.size() != want_object.size()) return false;
    for (auto field : want_object) {
      simdjson::dom::element value;
      if (got_object[field.key].get(value)) return false;
      std::string inner;
      if (!Matches(value, field.value, inner, substitute)) {
        where = "." + std::string(field.key) + inner;
        return false;
      }
    }
    return true;
  }
  simdjson::dom::array want_array, got_array;
  if (!want.get(want_array)) {
    if (got.get(got_array) || got_array.size() != want_array.size()) return false;
    for (size_t i = 0; i < want_array.size(); ++i) {
      std::string inner;
      if (!Matches(got_array.at(i).value(), want_array.at(i).value(), inner, substitute)) {
        where = "[" + std::to_string(i) + "]" + inner;
        return false;
      }
    }
    return true;
  }
  return simdjson::minify(got) == simdjson::minify(want);
}

int64_t Metric(BlockingHttpClient& client, std::string_view prefix) {
  return static_cast<int64_t>(MetricValue(client, prefix));
}

int64_t LogEndOffset(BlockingHttpClient& client) {
  return Metric(client, "voxbase_log_end_offset ");
}

// The element at a dotted path with [i] indices ("conversation.messages[0].role").
bool Lookup(simdjson::dom::element root, std::string_view path, simdjson::dom::element* out) {
  simdjson::dom::element at = root;
  while (!path.empty()) {
    size_t end = path.find_first_of(".[");
    if (end != 0) {
      std::string_view key = path.substr(0, end);
      simdjson::dom::object obj;
      if (at.get(obj) || obj[key].get(at)) return false;
      path = end == std::string_view::npos ? std::string_view() : path.substr(end);
      continue;
    }
    if (path[0] == '.') {
      path.remove_prefix(1);
      continue;
    }
    size_t close = path.find(']');
    size_t index = std::stoul(std::string(path.substr(1, close - 1)));
    simdjson::dom::array array;
    if (at.get(array) || array.at(index).get(at)) return false;
    path.remove_prefix(close + 1);
  }
  *out = at;
  return true;
}

class CaseRunner {
 public:
  explicit CaseRunner(const std::string& file) : file_(file) {}

  void Run() {
    std::ifstream in(file_);
    std::stringstream text;
    text << in.rdbuf();
    simdjson::dom::parser parser;
    simdjson::dom::object doc;
    ASSERT_FALSE(parser.parse(text.str()).get(doc)) << file_ << " does not parse";
    simdjson::dom::array steps;
    ASSERT_FALSE(doc["steps"].get(steps)) << file_ << " has no steps";
    CheckKeys(doc, {"steps", "env", "upstream"}, "the file");
    simdjson::dom::object upstream;
    if (!doc["upstream"].get(upstream)) {
      for (auto route : upstream) {
        UpstreamReply reply;
        simdjson::dom::object r = route.value.get_object().value();
        CheckKeys(r, {"status", "body", "text", "retryAfter", "delayMs"}, "an upstream reply");
        reply.status = static_cast<int>(Field<int64_t>(r, "status", 200));
        simdjson::dom::element body;
        std::string_view raw_text;
        if (!r["body"].get(body)) reply.body = simdjson::minify(body);
        if (!r["text"].get(raw_text)) {
          reply.body = std::string(raw_text);
          reply.content_type = "text/html";
        }
        std::string_view retry_after;
        if (!r["retryAfter"].get(retry_after)) {
          reply.headers.emplace_back("Retry-After", std::string(retry_after));
        }
        reply.delay = std::chrono::milliseconds(Field<int64_t>(r, "delayMs", 0));
        replies_[std::string(route.key)] = reply;
      }
      upstream_ = std::make_unique<FakeUpstream>([this](const UpstreamRequest& request) {
        auto it = replies_.find(request.target);
        if (it != replies_.end()) return it->second;
        UpstreamReply missing;
        missing.status = 404;
        missing.body = R"({"error":"no such route"})";
        return missing;
      });
      vars_["upstream"] = upstream_->Url();
    }
    simdjson::dom::object env;
    if (!doc["env"].get(env)) {
      for (auto field : env) {
        env_.emplace_back(std::string(field.key),
                          Substitute(std::string(field.value.get_string().value())));
      }
    }
    ASSERT_NO_FATAL_FAILURE(StartServer());
    ASSERT_NO_FATAL_FAILURE(MakeApps());
    size_t i = 0;
    for (simdjson::dom::object step : steps) {
      std::string_view name = Field<std::string_view>(step, "name", "");
      step_ = i;
      SCOPED_TRACE("step " + std::to_string(i++) + " " + std::string(name));
      CheckKeys(step,
                {"name", "request", "status", "expect", "answer", "error", "save", "appends",
                 "expectHeaders", "restart", "kill", "replay", "settle"},
                "the step");
      bool flag = false;
      if (!step["restart"].get(flag) && flag) {
        server_->Stop();
        ASSERT_NO_FATAL_FAILURE(StartServer());
      } else if (!step["kill"].get(flag) && flag) {
        server_->Kill();
        ASSERT_NO_FATAL_FAILURE(StartServer());
      } else if (!step["replay"].get(flag) && flag) {
        ASSERT_NO_FATAL_FAILURE(ReplayAndCompare());
      } else if (!step["settle"].get(flag) && flag) {
        ASSERT_NO_FATAL_FAILURE(Settle());
      } else {
        ASSERT_NO_FATAL_FAILURE(Request(step));
      }
    }
  }

 private:
  // Every answered search's step waited for its record to be on the log ("appends": 1, which the
  // runner requires of them), so what is left is applying it.
  void Settle() {
    for (int i = 0; i < 100; ++i) {
      int64_t end = LogEndOffset(*client_);
      int64_t applied = Metric(*client_, "voxbase_processor_applied_offset{processor=\"tables\"} ");
      if (end >= 0 && applied == end) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the processor did not catch up with the log";
  }

  void StartServer() {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::vector<std::string>{}, env_);
    ASSERT_NO_FATAL_FAILURE(server_->Start());
    ASSERT_TRUE(server_->WaitReady());
    client_ = server_->Client();
  }

  void MakeApps() {
    main_ = CreateApp(*client_, "case-app");
    other_ = CreateApp(*client_, "other-app");
    for (const auto& [var, grant] :
         {std::pair<std::string, std::string>{"token", R"("sessionId":"browser")"},
          {"operatorToken", R"("role":"operator")"}}) {
      Result<HttpResponse> r =
          client_->Request("POST", "/api/auth/session",
                           R"({"appSlug":"case-app","appSecret":")" + main_.secret +
                               R"(","ttlMs":3600000,)" + grant + "}");
      ASSERT_TRUE(r.ok() && r->status == 200);
      vars_[var] = JsonString(r->body, "sessionToken");
    }
    vars_["appId"] = main_.app_id;
    vars_["otherAppId"] = other_.app_id;
  }

  void ReplayAndCompare() {
    server_->Stop();
    CommandOutput live = RunVoxbase({"checksum", "--data-dir", dir_.path()});
    ASSERT_EQ(live.exit_code, 0) << live.stderr_text;
    CommandOutput replay = RunVoxbase({"replay", "--data-dir", dir_.path()});
    ASSERT_EQ(replay.exit_code, 0) << replay.stderr_text;
    CommandOutput replayed = RunVoxbase({"checksum", "--data-dir", dir_.path()});
    ASSERT_EQ(replayed.exit_code, 0) << replayed.stderr_text;
    EXPECT_EQ(live.stdout_text, replayed.stdout_text) << "replay differs from the live store";
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  std::string Substitute(std::string s) const {
    if (s.find('$') == std::string::npos) return s;
    for (const auto& [name, value] : vars_) s = Replace(s, "${" + name + "}", value);
    return Replace(s, "$LONG200", std::string(200, 'L'));
  }

  void Request(simdjson::dom::object step) {
    simdjson::dom::object request;
    ASSERT_FALSE(step["request"].get(request)) << "a step needs request, restart, kill or replay";
    CheckKeys(request,
              {"method", "path", "body", "rawBody", "generate", "headers", "auth", "token", "app"},
              "the request");
    std::string method(request["method"].get_string().value());
    std::string path = Substitute(std::string(request["path"].get_string().value()));
    std::string_view auth = Field<std::string_view>(request, "auth", "secret");
    std::string_view which_app = Field<std::string_view>(request, "app", "main");
    const TestApp& app = which_app == "other" ? other_ : main_;
    // $AUTH and $QAUTH in a raw body or path are the app's secret credentials, whatever "auth" is.
    const std::string secret_body =
        R"("appSlug":")" + app.slug + R"(","appSecret":")" + app.secret + "\"";
    const std::string secret_query = "appSlug=" + app.slug + "&appSecret=" + app.secret;
    path = Replace(path, "$QAUTH", secret_query);
    std::string body_auth, query_auth;
    if (auth == "secret") {
      body_auth = R"("appSlug":")" + app.slug + R"(","appSecret":")" + app.secret + "\"";
      query_auth = "appSlug=" + app.slug + "&appSecret=" + app.secret;
    } else if (auth == "token") {
      const std::string token =
          Substitute(std::string(Field<std::string_view>(request, "token", "${token}")));
      body_auth = R"("sessionToken":")" + token + "\"";
      query_auth = "sessionToken=" + token;
    }
    std::vector<std::pair<std::string, std::string>> headers;
    if (auth == "admin")
      headers.emplace_back("Authorization", std::string("Bearer ") + kAdminToken);

    std::string body;
    simdjson::dom::object json_body;
    std::string_view raw, kind;
    if (!request["body"].get(json_body)) {
      std::string inner = Substitute(simdjson::minify(json_body));
      inner = inner.substr(1, inner.size() - 2);
      body = "{" + body_auth + (body_auth.empty() || inner.empty() ? "" : ",") + inner + "}";
    } else if (!request["rawBody"].get(raw)) {
      body = Replace(Substitute(std::string(raw)), "$AUTH", secret_body);
    } else if (!request["generate"].get(kind)) {
      body = Generate(kind, secret_body);
    }
    if (!query_auth.empty() && (method == "GET" || method == "DELETE") && body.empty()) {
      path += (path.find('?') == std::string::npos ? "?" : "&") + query_auth;
    }
    simdjson::dom::object h;
    if (!request["headers"].get(h)) {
      for (auto field : h) {
        headers.emplace_back(std::string(field.key),
                             Replace(Substitute(std::string(field.value.get_string().value())),
                                     "$ADMIN", kAdminToken));
      }
    }

    const int64_t appends = Field<int64_t>(step, "appends", -1);
    int64_t want_status = 0;
    if (path.starts_with("/api/knowledge/search") && !step["status"].get(want_status) &&
        want_status == 200) {
      EXPECT_EQ(appends, 1) << "an answered search appends its record after its answer: say "
                               "\"appends\": 1, so the record cannot land in a later step";
    }
    const int64_t end_before = appends >= 0 ? LogEndOffset(*client_) : 0;
    auto request_client = server_->Client();
    Result<HttpResponse> r = request_client->Request(method, path, body, headers);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    SCOPED_TRACE(r->body.substr(0, 400));
    int64_t status = 0;
    ASSERT_FALSE(step["status"].get(status)) << "a request step must say the status it expects";
    EXPECT_EQ(r->status, status);
    if (r->status >= 400) {
      EXPECT_EQ(r->content_type, "application/json");
      const std::string error = JsonString(r->body, "error");
      EXPECT_FALSE(error.empty()) << "an error answer without an error";
      std::string_view want_error;
      simdjson::dom::element expected_error;
      if (!step["expect"]["error"].get(expected_error)) {
        // checked with the rest of "expect"
      } else if (!step["error"].get(want_error)) {
        EXPECT_NE(error.find(Substitute(std::string(want_error))), std::string::npos)
            << "the error says: " << error;
      } else if (const char* record = std::getenv("VOXBASE_CASES_RECORD_ERRORS")) {
        // Lists the error steps without "error", with what they said, for a person to review
        // and add.
        std::ofstream(record, std::ios::app) << std::filesystem::path(file_).filename().string()
                                             << "\t" << step_ << "\t" << error << "\n";
      } else {
        ADD_FAILURE() << "an error step must say what its error says (\"error\"); it said: "
                      << error;
      }
    } else {
      EXPECT_TRUE(step["error"].error()) << "\"error\" on a step that expects no error";
    }
    if (appends >= 0) {
      int64_t moved = LogEndOffset(*client_) - end_before;
      for (int i = 0; i < 200 && moved < appends; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        moved = LogEndOffset(*client_) - end_before;
      }
      EXPECT_EQ(moved, appends) << "the log moved by another count";
    }

    simdjson::dom::object want_headers;
    if (!step["expectHeaders"].get(want_headers)) {
      for (auto field : want_headers) {
        std::string value = "<absent>";
        for (const auto& [name, v] : r->headers) {
          if (strcasecmp(name.c_str(), std::string(field.key).c_str()) == 0) value = v;
        }
        EXPECT_EQ(value, Substitute(std::string(field.value.get_string().value())))
            << "header " << field.key;
      }
    }
    simdjson::dom::parser parser;
    simdjson::dom::element answer;
    bool is_json = !parser.parse(r->body).get(answer);
    simdjson::dom::object expect;
    if (!step["expect"].get(expect)) {
      ASSERT_TRUE(is_json) << "the answer is not JSON";
      for (auto field : expect) {
        if (field.key == "$body") {
          EXPECT_EQ(r->body, Substitute(std::string(field.value.get_string().value())));
          continue;
        }
        Check(answer, field.key, field.value);
      }
    }
    simdjson::dom::element whole;
    if (!step["answer"].get(whole)) {
      ASSERT_TRUE(is_json) << "the answer is not JSON";
      std::string where;
      EXPECT_TRUE(Matches(answer, whole, where, [this](std::string t) { return Substitute(t); }))
          << "the answer differs at $" << where << ": " << r->body;
    }
    simdjson::dom::object save;
    if (!step["save"].get(save)) {
      for (auto field : save) {
        std::string_view where = field.value.get_string().value();
        if (where == "$body") {
          vars_[std::string(field.key)] = r->body;
          continue;
        }
        simdjson::dom::element value;
        ASSERT_TRUE(is_json && Lookup(answer, where, &value)) << "nothing at " << where;
        std::string_view s;
        vars_[std::string(field.key)] = value.get(s) ? simdjson::minify(value) : std::string(s);
      }
    }
  }

  void Check(simdjson::dom::element answer, std::string_view path, simdjson::dom::element want) {
    SCOPED_TRACE("at " + std::string(path));
    simdjson::dom::element got;
    bool found = Lookup(answer, path, &got);
    std::string_view want_text;
    if (!want.get(want_text)) {
      std::string expected = Substitute(std::string(want_text));
      if (expected == "<absent>") {
        EXPECT_FALSE(found) << simdjson::minify(got);
        return;
      }
      ASSERT_TRUE(found) << "nothing at " << path;
      if (expected == "<any>") return;
      std::string_view got_text;
      if (expected == "<nonempty>") {
        EXPECT_TRUE(!got.get(got_text) && !got_text.empty()) << simdjson::minify(got);
        return;
      }
      ASSERT_FALSE(got.get(got_text)) << "not a string: " << simdjson::minify(got);
      EXPECT_EQ(got_text, expected);
      return;
    }
    ASSERT_TRUE(found) << "nothing at " << path;
    EXPECT_EQ(simdjson::minify(got), simdjson::minify(want));
  }

  std::string file_;
  size_t step_ = 0;  // the step running, from 0
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BlockingHttpClient> client_;
  TestApp main_, other_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, UpstreamReply> replies_;
  std::unique_ptr<FakeUpstream> upstream_;  // answers by path with the file's "upstream" replies
  Environment env_;
};

std::vector<std::string> CaseFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(VOXBASE_TESTS_DIR) + "/cases")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().stem().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class CaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CaseTest, Steps) {
  CaseRunner(std::string(VOXBASE_TESTS_DIR) + "/cases/" + GetParam() + ".json").Run();
}

INSTANTIATE_TEST_SUITE_P(Cases, CaseTest, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace voxbase::testing
