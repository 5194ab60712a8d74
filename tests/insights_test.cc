// Analytics against numbers worked out by hand (the comments say how). One in-process node on a
// clock the test moves, with two apps fed the same writes: one counts days in UTC, the other in
// America/New_York (UTC-5 in December), so the same calls fall on different days, weeks and
// months. Conversations carry their own start; handoffs, ratings, searches and violations take the
// clock's time. Over HTTP on loopback, like any client.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <thread>

#include "api/http_client.h"
#include "api/node.h"
#include "tests/support/fake_upstream.h"
#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
// Monday 2025-12-01 00:00 UTC (Sunday 19:00 in New York).
constexpr int64_t kMonday = 1764547200000;
// Thursday 2026-01-01 03:00 UTC (Wednesday 2025-12-31 22:00 in New York).
constexpr int64_t kNewYear = 1767236400000;
constexpr char kAdmin[] = "insights-admin-token-0123456789";

class InsightsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    NodeOptions options;
    options.data_dir = dir_.path();
    options.http.port = 0;
    options.admin_token = kAdmin;
    options.clock = &clock_;
    options.allow_private_tool_endpoints = true;
    options.app_write_rate = 0;  // the quota's bucket refills with a clock this test holds still
    options.metrics_per_app = per_app_;
    Result<std::unique_ptr<Node>> node = Node::Start(options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    client_ = std::make_unique<BlockingHttpClient>("127.0.0.1", node_->port());
    utc_ = Create("utc-app", "");
    ny_ = Create("ny-app", R"(,"timezone":"America/New_York")");
  }
  void TearDown() override {
    if (node_) node_->Stop();
  }

  std::string Create(const std::string& slug, const std::string& extra) {
    Result<HttpResponse> r = client_->Request(
        "POST", "/api/admin/apps",
        R"({"slug":")" + slug + R"(","name":"x","secret":"0123456789abcdef0")" + extra + "}",
        {{"Authorization", std::string("Bearer ") + kAdmin}});
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 201) << r->body;
    return slug;
  }
  // A write to both apps, at the clock's time `at`.
  void Both(int64_t at, const std::string& method, const std::string& path,
            const std::string& body) {
    clock_.Set(at);
    for (const std::string& slug : {utc_, ny_}) Write(slug, method, path, body);
  }
  std::string Write(const std::string& slug, const std::string& method, const std::string& path,
                    const std::string& body, int max_status = 299) {
    Result<HttpResponse> r = client_->Request(
        method, path,
        R"({"appSlug":")" + slug + R"(","appSecret":"0123456789abcdef0",)" + body.substr(1));
    EXPECT_TRUE(r.ok());
    EXPECT_LE(r->status, max_status) << method << " " << path << " " << r->body;
    return r->body;
  }
  std::string Get(const std::string& slug, const std::string& path_and_query) {
    const char sep = path_and_query.find('?') == std::string::npos ? '?' : '&';
    Result<HttpResponse> r = client_->Request(
        "GET", path_and_query + sep + "appSlug=" + slug + "&appSecret=0123456789abcdef0");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return r->body;
  }
  // The number at a JSON pointer ("/insights/0/resolutionRate"); NaN for null or absent.
  static double At(const std::string& body, const std::string& pointer) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc)) return std::nan("");
    simdjson::dom::element v;
    if (doc.at_pointer(pointer).get(v) || v.is_null()) return std::nan("");
    double d = 0;
    if (v.get(d)) return std::nan("");
    return d;
  }
  // Waits (up to 10 s) for what a search appends after its answer to be applied.
  void AwaitSearches(const std::string& slug, int64_t from, int64_t to, int want) {
    const std::string path = "/api/analytics/insights?period=month&from=" + std::to_string(from) +
                             "&to=" + std::to_string(to);
    for (int i = 0; i < 1000; ++i) {
      if (At(Get(slug, path), "/insights/0/knowledge/searches") == want) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the searches were not applied";
  }

  bool per_app_ = false;
  TempDir dir_;
  ManualClock clock_{kMonday};
  std::unique_ptr<Node> node_;
  std::unique_ptr<BlockingHttpClient> client_;
  std::string utc_, ny_;
};

// Within the 1 % the histograms promise.
#define EXPECT_ABOUT(actual, want) EXPECT_NEAR(actual, want, (want)*0.01 + 1e-9)

TEST_F(InsightsFixture, DaysWeeksMonthsAndTheOverviewMatchNumbersWorkedOutByHand) {
  // A: Mon 03:00 UTC (Sun 22:00 NY), 60 s, resolved by the caller hanging up.
  Both(kMonday, "POST", "/api/conversations",
       R"({"sessionId":"A","status":"resolved","startedAt":1764558000000,)"
       R"("endedAt":1764558060000,"endReason":"user_hangup"})");
  // B: Mon 10:00 UTC (Mon 05:00 NY), 120 s, abandoned.
  Both(kMonday, "POST", "/api/conversations",
       R"({"sessionId":"B","status":"abandoned","startedAt":1764583200000,)"
       R"("endedAt":1764583320000,"endReason":"inactivity"})");
  // C: Mon 23:30 UTC (Mon 18:30 NY), 300 s, then handed to a human who resolves it.
  Both(kMonday, "POST", "/api/conversations",
       R"({"sessionId":"C","startedAt":1764631800000,"endedAt":1764632100000})");
  // D: Tue 12:00 UTC (Tue 07:00 NY), still going; handed off, never claimed.
  Both(kMonday, "POST", "/api/conversations", R"({"sessionId":"D","startedAt":1764676800000})");
  // E: Thu 2026-01-01 03:00 UTC (Wed 2025-12-31 22:00 NY), 30 s, resolved.
  Both(kMonday, "POST", "/api/conversations",
       R"({"sessionId":"E","status":"resolved","startedAt":1767236400000,)"
       R"("endedAt":1767236430000,"endReason":"agent_hangup"})");

  // C's handoff: created Mon 23:40 UTC, claimed 10 min later, resolved 30 min after creation.
  std::string handoff[2];
  clock_.Set(kMonday + 23 * kHour + 40 * kMinute);
  for (int i = 0; i < 2; ++i) {
    handoff[i] = JsonString(Write(i ? ny_ : utc_, "POST", "/api/handoffs",
                                  R"({"sessionId":"C","reason":"angry","priority":"high"})"),
                            "handoffId");
  }
  clock_.Set(kMonday + 23 * kHour + 50 * kMinute);
  for (int i = 0; i < 2; ++i) {
    Write(i ? ny_ : utc_, "PATCH", "/api/handoffs",
          R"({"handoffId":")" + handoff[i] + R"(","action":"claim","agentId":"ann"})");
  }
  clock_.Set(kMonday + 24 * kHour + 10 * kMinute);
  for (int i = 0; i < 2; ++i) {
    Write(i ? ny_ : utc_, "PATCH", "/api/handoffs",
          R"({"handoffId":")" + handoff[i] + R"(","action":"resolve","resolution":"refund"})");
  }
  // D's handoff: Tue 12:05 UTC, urgent, left pending.
  Both(kMonday + 36 * kHour + 5 * kMinute, "POST", "/api/handoffs",
       R"({"sessionId":"D","reason":"legal","priority":"urgent"})");

  // Ratings: B 2 on Mon 10:05 UTC, C 5 on Tue 00:20 UTC (Mon 19:20 NY), then B again, 3, on
  // Tue 00:25 UTC (Mon 19:25 NY): the new rating replaces the old one and moves to its time.
  Both(kMonday + 10 * kHour + 5 * kMinute, "POST", "/api/csat", R"({"sessionId":"B","rating":2})");
  Both(kMonday + 24 * kHour + 20 * kMinute, "POST", "/api/csat", R"({"sessionId":"C","rating":5})");
  Both(kMonday + 24 * kHour + 25 * kMinute, "POST", "/api/csat", R"({"sessionId":"B","rating":3})");

  // Messages at their own times: two in A (Mon 03:01 and 03:02 UTC), one in D (Tue 12:01 UTC).
  Both(kMonday, "POST", "/api/messages",
       R"({"messages":[{"sessionId":"A","role":"user","content":"hi","createdAt":1764558060000},)"
       R"({"sessionId":"A","role":"assistant","content":"hello","createdAt":1764558120000},)"
       R"({"sessionId":"D","role":"user","content":"help","createdAt":1764676860000}]})");
  // Turn metrics: 800 ms end to end in A (Mon 03:01 UTC), 1200 ms in B (Mon 10:01 UTC), 2000 ms
  // in D (Tue 12:01 UTC); prompt tokens 100 (B) and 50 (D).
  Both(kMonday, "POST", "/api/events",
       R"({"events":[{"type":"turn.metrics","sessionId":"A","ts":1764558060000,)"
       R"("data":{"e2eLatencyMs":800,"sttDelayMs":200}},)"
       R"({"type":"turn.metrics","sessionId":"B","ts":1764583260000,)"
       R"("data":{"e2eLatencyMs":1200,"promptTokens":100}},)"
       R"({"type":"turn.metrics","sessionId":"D","ts":1764676860000,)"
       R"("data":{"e2eLatencyMs":2000,"promptTokens":50}},)"
       R"({"type":"click","sessionId":"D","ts":1764676860000,"data":{"e2eLatencyMs":9}}]})");

  // The UTC app only: a guardrail violation (Mon 10:10 UTC), a question nothing answers (Mon
  // 10:30 UTC: a gap), the document that answers it (Tue 12:20 UTC: the gap resolves), and two
  // tool calls (Tue 12:30 UTC), one that succeeds and one the endpoint fails.
  clock_.Set(kMonday + 10 * kHour + 10 * kMinute);
  Write(utc_, "POST", "/api/guardrails/rules",
        R"({"name":"pii","action":"block","pack":"pii-basic"})");
  Write(utc_, "POST", "/api/guardrails/check",
        R"({"sessionId":"B","content":"mail me at ann@example.com","direction":"input"})");
  clock_.Set(kMonday + 10 * kHour + 30 * kMinute);
  Write(utc_, "POST", "/api/knowledge/search", R"({"query":"how do I reset my password"})");
  AwaitSearches(utc_, kMonday, kMonday + 40 * kHour, 1);
  clock_.Set(kMonday + 36 * kHour + 20 * kMinute);
  Write(utc_, "POST", "/api/knowledge",
        R"({"title":"Passwords","content":"how do I reset my password"})");
  FakeUpstream tool([](const UpstreamRequest& r) {
    UpstreamReply reply;
    if (r.body.find("fail") != std::string::npos) reply.status = 500;
    return reply;
  });
  clock_.Set(kMonday + 36 * kHour + 30 * kMinute);
  Write(utc_, "POST", "/api/tools",
        R"({"name":"lookup","description":"d","endpoint":")" + tool.Url("/t") + R"("})");
  Write(utc_, "POST", "/api/tools/execute",
        R"({"sessionId":"D","toolName":"lookup","parameters":{"q":"ok"}})");
  Write(utc_, "POST", "/api/tools/execute",
        R"({"sessionId":"D","toolName":"lookup","parameters":{"q":"fail"}})", 502);

  clock_.Set(kNewYear + kHour);  // Thu 2026-01-01 04:00 UTC: "now" for the last 24 hours

  // --- UTC, by day: Mon 12-01 and Tue 12-02 ---
  std::string days = Get(utc_,
                         "/api/analytics/insights?period=day&from=1764547200000"
                         "&to=1764719999999");
  // Mon: A, B and C started; A and C resolved, B abandoned; C reached a human.
  EXPECT_EQ(At(days, "/insights/0/conversations/started"), 3);
  EXPECT_EQ(At(days, "/insights/0/conversations/resolved"), 2);
  EXPECT_EQ(At(days, "/insights/0/conversations/abandoned"), 1);
  EXPECT_EQ(At(days, "/insights/0/conversations/handed_off"), 0);
  EXPECT_EQ(At(days, "/insights/0/conversations/reachedHuman"), 1);
  EXPECT_EQ(At(days, "/insights/0/resolutionRate"), 0.6667);
  EXPECT_EQ(At(days, "/insights/0/handoffRate"), 0.3333);
  // Durations 60, 120 and 300 s: mean 160 s; nearest rank p50 the 2nd (120 s), p95 the 3rd.
  EXPECT_EQ(At(days, "/insights/0/durationMs/count"), 3);
  EXPECT_EQ(At(days, "/insights/0/durationMs/avg"), 160000);
  EXPECT_ABOUT(At(days, "/insights/0/durationMs/p50"), 120000);
  EXPECT_ABOUT(At(days, "/insights/0/durationMs/p95"), 300000);
  EXPECT_EQ(At(days, "/insights/0/endReasons/user_hangup"), 1);
  EXPECT_EQ(At(days, "/insights/0/endReasons/inactivity"), 1);
  EXPECT_EQ(At(days, "/insights/0/messages/user"), 1);
  EXPECT_EQ(At(days, "/insights/0/messages/assistant"), 1);
  // Both ratings moved to Tuesday, when they were last given.
  EXPECT_EQ(At(days, "/insights/0/csat/count"), 0);
  EXPECT_TRUE(std::isnan(At(days, "/insights/0/csat/average")));
  // C's handoff: created Monday, claimed after 10 min, resolved after 30.
  EXPECT_EQ(At(days, "/insights/0/handoffs/created"), 1);
  EXPECT_EQ(At(days, "/insights/0/handoffs/byPriority/high"), 1);
  EXPECT_EQ(At(days, "/insights/0/handoffs/byStatus/resolved"), 1);
  EXPECT_ABOUT(At(days, "/insights/0/handoffs/medianTimeToClaimMs"), 600000);
  EXPECT_ABOUT(At(days, "/insights/0/handoffs/medianTimeToResolveMs"), 1800000);
  // Two turns (800 and 1200 ms): p50 the 1st, p95 and p99 the 2nd; one STT figure.
  EXPECT_EQ(At(days, "/insights/0/turns"), 2);
  EXPECT_EQ(At(days, "/insights/0/turnLatency/e2eLatencyMs/count"), 2);
  EXPECT_ABOUT(At(days, "/insights/0/turnLatency/e2eLatencyMs/p50"), 800);
  EXPECT_ABOUT(At(days, "/insights/0/turnLatency/e2eLatencyMs/p99"), 1200);
  EXPECT_EQ(At(days, "/insights/0/turnLatency/sttDelayMs/count"), 1);
  EXPECT_EQ(At(days, "/insights/0/usage/promptTokens"), 100);
  EXPECT_EQ(At(days, "/insights/0/guardrailViolations/pii_filter/block"), 1);
  EXPECT_EQ(At(days, "/insights/0/knowledge/searches"), 1);
  EXPECT_EQ(At(days, "/insights/0/knowledge/gapped"), 1);
  EXPECT_EQ(At(days, "/insights/0/knowledge/gapsOpened"), 1);
  // Tue: D started and handed off; its urgent handoff pending; ratings 5 (C) and 3 (B).
  EXPECT_EQ(At(days, "/insights/1/conversations/started"), 1);
  EXPECT_EQ(At(days, "/insights/1/conversations/handed_off"), 1);
  EXPECT_EQ(At(days, "/insights/1/resolutionRate"), 0);
  EXPECT_EQ(At(days, "/insights/1/handoffRate"), 1);
  EXPECT_EQ(At(days, "/insights/1/handoffs/byPriority/urgent"), 1);
  EXPECT_EQ(At(days, "/insights/1/handoffs/byStatus/pending"), 1);
  EXPECT_EQ(At(days, "/insights/1/csat/count"), 2);
  EXPECT_EQ(At(days, "/insights/1/csat/average"), 4);
  EXPECT_EQ(At(days, "/insights/1/csat/distribution/3"), 1);
  EXPECT_EQ(At(days, "/insights/1/csat/distribution/5"), 1);
  EXPECT_EQ(At(days, "/insights/1/messages/user"), 1);
  EXPECT_EQ(At(days, "/insights/1/usage/promptTokens"), 50);
  EXPECT_EQ(At(days, "/insights/1/knowledge/gapsResolved"), 1);
  EXPECT_EQ(At(days, "/insights/1/toolCalls/total"), 2);
  EXPECT_EQ(At(days, "/insights/1/toolCalls/success"), 1);
  EXPECT_EQ(At(days, "/insights/1/toolCalls/error"), 1);
  EXPECT_EQ(At(days, "/insights/1/toolSuccessRate"), 0.5);
  EXPECT_FALSE(std::isnan(At(days, "/insights/1/toolLatencyMs/p95")));
  EXPECT_TRUE(std::isnan(At(days, "/insights/2/start")));  // two days, no more

  // --- UTC, by week and month: Monday's week holds A to D; December too, January E ---
  std::string weeks = Get(utc_,
                          "/api/analytics/insights?period=week&from=1764547200000"
                          "&to=1764720000000");
  EXPECT_EQ(At(weeks, "/insights/0/start"), kMonday);
  EXPECT_EQ(At(weeks, "/insights/0/end"), kMonday + 7 * 24 * kHour);
  EXPECT_EQ(At(weeks, "/insights/0/conversations/started"), 4);
  EXPECT_EQ(At(weeks, "/insights/0/resolutionRate"), 0.5);
  EXPECT_EQ(At(weeks, "/insights/0/handoffRate"), 0.5);
  EXPECT_EQ(At(weeks, "/insights/0/csat/average"), 4);
  EXPECT_EQ(At(weeks, "/insights/0/handoffs/created"), 2);
  std::string months = Get(utc_,
                           "/api/analytics/insights?period=month&from=1764547200000"
                           "&to=1767243600000");
  EXPECT_EQ(At(months, "/insights/0/conversations/started"), 4);
  EXPECT_EQ(At(months, "/insights/1/start"), 1767225600000);  // 2026-01-01 00:00 UTC
  EXPECT_EQ(At(months, "/insights/1/conversations/started"), 1);
  EXPECT_EQ(At(months, "/insights/1/endReasons/agent_hangup"), 1);
  EXPECT_ABOUT(At(months, "/insights/1/durationMs/p50"), 30000);

  // --- New York: A falls on Sunday 11-30, B and C on Monday, D on Tuesday, E on 12-31 ---
  std::string ny = Get(ny_,
                       "/api/analytics/insights?period=day&from=1764547200000"
                       "&to=1764720000000");
  EXPECT_EQ(At(ny, "/insights/0/start"), kMonday - 24 * kHour + 5 * kHour);  // 11-30 05:00Z
  EXPECT_EQ(At(ny, "/insights/0/conversations/started"), 1);
  EXPECT_EQ(At(ny, "/insights/0/resolutionRate"), 1);
  EXPECT_EQ(At(ny, "/insights/0/messages/assistant"), 1);
  EXPECT_ABOUT(At(ny, "/insights/0/turnLatency/e2eLatencyMs/p50"), 800);
  EXPECT_EQ(At(ny, "/insights/1/conversations/started"), 2);
  EXPECT_EQ(At(ny, "/insights/1/resolutionRate"), 0.5);
  EXPECT_EQ(At(ny, "/insights/1/handoffRate"), 0.5);
  EXPECT_EQ(At(ny, "/insights/1/durationMs/avg"), 210000);
  EXPECT_EQ(At(ny, "/insights/1/csat/count"), 2);  // 19:20 and 19:25 on Monday in New York
  EXPECT_EQ(At(ny, "/insights/1/csat/average"), 4);
  EXPECT_EQ(At(ny, "/insights/1/handoffs/created"), 1);
  EXPECT_EQ(At(ny, "/insights/1/usage/promptTokens"), 100);
  EXPECT_EQ(At(ny, "/insights/2/conversations/handed_off"), 1);
  EXPECT_EQ(At(ny, "/insights/2/handoffs/byStatus/pending"), 1);
  std::string ny_weeks = Get(ny_,
                             "/api/analytics/insights?period=week&from=1764547200000"
                             "&to=1767243600000");
  EXPECT_EQ(At(ny_weeks, "/insights/0/start"), 1763960400000);  // Mon 11-24 00:00 NY
  EXPECT_EQ(At(ny_weeks, "/insights/0/conversations/started"), 1);
  EXPECT_EQ(At(ny_weeks, "/insights/1/conversations/started"), 3);
  EXPECT_EQ(At(ny_weeks, "/insights/1/resolutionRate"), 0.3333);
  EXPECT_EQ(At(ny_weeks, "/insights/5/conversations/started"), 1);  // Mon 12-29: E
  std::string ny_months = Get(ny_,
                              "/api/analytics/insights?period=month&from=1764547200000"
                              "&to=1767243599999");  // to 2025-12-31 23:59:59.999 NY
  EXPECT_EQ(At(ny_months, "/insights/0/conversations/started"), 1);  // November: A
  EXPECT_EQ(At(ny_months, "/insights/1/conversations/started"), 4);  // December: B to E
  EXPECT_EQ(At(ny_months, "/insights/1/resolutionRate"), 0.5);
  EXPECT_TRUE(std::isnan(At(ny_months, "/insights/2/start")));

  // --- The overview ---
  std::string all = Get(utc_, "/api/analytics/overview");
  // Five conversations; A, C and E resolved; C and D reached a human; ratings 5 and 3; four
  // durations (60, 120, 300 and 30 s); D's handoff pending; the gap resolved; E in the last 24 h.
  EXPECT_EQ(At(all, "/overview/totalConversations"), 5);
  EXPECT_EQ(At(all, "/overview/resolutionRate"), 0.6);
  EXPECT_EQ(At(all, "/overview/handoffRate"), 0.4);
  EXPECT_EQ(At(all, "/overview/avgCSAT"), 4);
  EXPECT_EQ(At(all, "/overview/avgDurationMs"), 127500);
  EXPECT_EQ(At(all, "/overview/toolSuccessRate"), 0.5);
  EXPECT_EQ(At(all, "/overview/pendingHandoffs"), 1);
  EXPECT_EQ(At(all, "/overview/unresolvedGaps"), 0);
  EXPECT_EQ(At(all, "/overview/conversationsLast24h"), 1);
  EXPECT_EQ(At(all, "/overview/handoffsLast24h"), 0);
  // Since Mon 10:00 UTC: B, C, D and E; C and E resolved; C and D reached a human; both
  // ratings; durations 120, 300 and 30 s.
  std::string since = Get(utc_, "/api/analytics/overview?since=1764583200000");
  EXPECT_EQ(At(since, "/overview/totalConversations"), 4);
  EXPECT_EQ(At(since, "/overview/resolutionRate"), 0.5);
  EXPECT_EQ(At(since, "/overview/handoffRate"), 0.5);
  EXPECT_EQ(At(since, "/overview/avgCSAT"), 4);
  EXPECT_EQ(At(since, "/overview/avgDurationMs"), 150000);
  // Since Mon 23:35 UTC, inside an hour: C (23:30) is out, its handoff (23:40) in; D and E.
  std::string partial = Get(utc_, "/api/analytics/overview?since=1764632100000");
  EXPECT_EQ(At(partial, "/overview/totalConversations"), 2);
  EXPECT_EQ(At(partial, "/overview/resolutionRate"), 0.5);
  EXPECT_EQ(At(partial, "/overview/pendingHandoffs"), 1);
  EXPECT_EQ(At(partial, "/overview/avgDurationMs"), 30000);

  // --- CSV: the same rows, one line each, columns named by their JSON path ---
  Result<HttpResponse> csv = client_->Request(
      "GET",
      "/api/analytics/insights?period=day&from=1764547200000&to=1764719999999&format=csv"
      "&appSlug=utc-app&appSecret=0123456789abcdef0");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->content_type.substr(0, 8), "text/csv");
  std::vector<std::string> lines;
  for (size_t at = 0, end; (end = csv->body.find("\r\n", at)) != std::string::npos; at = end + 2) {
    lines.push_back(csv->body.substr(at, end - at));
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(0, 48), "period,date,start,end,conversations.started,conv");
  EXPECT_EQ(lines[1].substr(0, 42), "day,2025-12-01,1764547200000,1764633600000");
  auto column = [&lines](std::string_view name) {
    size_t index = 0;
    for (size_t at = 0; at < lines[0].size(); ++index) {
      size_t end = std::min(lines[0].find(',', at), lines[0].size());
      if (lines[0].substr(at, end - at) == name) break;
      at = end + 1;
    }
    return index;
  };
  auto cell = [&lines](size_t line, size_t index) {
    size_t at = 0;
    for (size_t i = 0; i < index; ++i) at = lines[line].find(',', at) + 1;
    return lines[line].substr(at, lines[line].find(',', at) - at);
  };
  EXPECT_EQ(cell(1, column("resolutionRate")), "0.6667");
  EXPECT_EQ(cell(1, column("csat.average")), "");  // null
  EXPECT_EQ(cell(2, column("csat.distribution.5")), "1");

  // --- /metrics: both apps summed (no app label without --metrics-per-app) ---
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_conversations{status="resolved"})"), 6);    // A C E
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_conversations{status="handed_off"})"), 2);  // D
  EXPECT_EQ(MetricValue(*client_, "voxbase_conversations_started_total "), 10);
  EXPECT_EQ(MetricValue(*client_, "voxbase_handoffs_pending "), 2);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_messages_total{role="user"})"), 4);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_tool_calls_total{status="error"})"), 1);
  EXPECT_EQ(MetricValue(*client_, "voxbase_tool_call_latency_ms_count "), 2);
  EXPECT_EQ(MetricValue(*client_,
                        R"(voxbase_guardrail_violations_total{type="pii_filter",action="block"})"),
            1);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_csat_ratings{score="3"})"), 2);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_knowledge_searches_total{outcome="gapped"})"), 1);
  EXPECT_EQ(MetricValue(*client_, "voxbase_knowledge_gaps_open "), 0);
  // Turns of 800, 1200 and 2000 ms in each app: 2 under 1 s, 4 under 1.5 s, 6 in all.
  EXPECT_EQ(
      MetricValue(*client_, R"(voxbase_turn_latency_ms_bucket{stage="e2eLatencyMs",le="1000"})"),
      2);
  EXPECT_EQ(
      MetricValue(*client_, R"(voxbase_turn_latency_ms_bucket{stage="e2eLatencyMs",le="1500"})"),
      4);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_turn_latency_ms_count{stage="e2eLatencyMs"})"), 6);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_turn_latency_ms_sum{stage="e2eLatencyMs"})"), 8000);
  EXPECT_EQ(MetricValue(*client_, "voxbase_conversations{app="), -1);  // no app label
}

class PerAppMetrics : public InsightsFixture {
 protected:
  PerAppMetrics() { per_app_ = true; }
};

TEST_F(PerAppMetrics, AppsAreLabelledBySlugWithNoSessionInAnyLabel) {
  Both(kMonday, "POST", "/api/conversations", R"({"sessionId":"ses_secret_1"})");
  Write(utc_, "POST", "/api/conversations", R"({"sessionId":"ses_secret_2"})");
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_conversations{app="utc-app",status="active"})"), 2);
  EXPECT_EQ(MetricValue(*client_, R"(voxbase_conversations{app="ny-app",status="active"})"), 1);
  Result<HttpResponse> metrics = client_->Request("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->body.find("ses_secret"), std::string::npos);
}

}  // namespace
}  // namespace voxbase::testing
