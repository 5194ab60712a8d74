// The outbound client against real HTTP servers on loopback that are slow, failing, oversized,
// redirecting, close mid-answer and send non-JSON; and the address guard.
#include "ingest/outbound/http_client.h"

#include <gtest/gtest.h>

#include "tests/support/fake_upstream.h"

namespace voxbase {
namespace {

using std::chrono::milliseconds;
using testing::FakeUpstream;
using testing::UpstreamReply;
using testing::UpstreamRequest;

OutboundRequest Loopback(const std::string& url) {
  OutboundRequest r;
  r.url = url;
  r.body = R"({"q":1})";
  r.headers = {{"Content-Type", "application/json"}, {"X-Key", "k1"}};
  r.allow_private = true;  // the fake upstream lives on loopback
  return r;
}

TEST(HttpClientTest, SendsMethodHeadersAndBodyAndReturnsTheAnswer) {
  FakeUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.status = 201;
    reply.body = R"({"ok":true})";
    reply.headers = {{"X-Upstream", "yes"}};
    return reply;
  });
  auto client = NewCurlHttpClient();
  Result<OutboundResponse> r = client->Send(Loopback(upstream.Url("/v1/do")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(r->Header("x-upstream"), "yes");
  ASSERT_EQ(upstream.requests().size(), 1u);
  UpstreamRequest seen = upstream.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/do");
  EXPECT_EQ(seen.body, R"({"q":1})");
  EXPECT_EQ(seen.Header("x-key"), "k1");
}

TEST(HttpClientTest, NonJsonAndErrorStatusesComeBackAsAnswersNotFailures) {
  FakeUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.status = 500;
    reply.body = "<html>oops</html>";
    reply.content_type = "text/html";
    return reply;
  });
  Result<OutboundResponse> r = NewCurlHttpClient()->Send(Loopback(upstream.Url("/")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "<html>oops</html>");
}

TEST(HttpClientTest, ASlowUpstreamIsCutOffAtTheDeadline) {
  FakeUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.delay = milliseconds(3000);
    return reply;
  });
  OutboundRequest request = Loopback(upstream.Url("/slow"));
  request.timeout = milliseconds(200);
  auto started = std::chrono::steady_clock::now();
  Result<OutboundResponse> r = NewCurlHttpClient()->Send(request);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
  EXPECT_LT(took, milliseconds(2000)) << "the deadline was not kept";
}

TEST(HttpClientTest, AnOversizedAnswerIsRefused) {
  FakeUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.body = std::string(100000, 'x');
    return reply;
  });
  OutboundRequest request = Loopback(upstream.Url("/big"));
  request.max_response_bytes = 1000;
  Result<OutboundResponse> r = NewCurlHttpClient()->Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUpstreamError);
  EXPECT_NE(r.status().message().find("more than 1000 bytes"), std::string::npos)
      << r.status().message();
}

TEST(HttpClientTest, AnAnswerCutOffMidBodyIsAFailure) {
  FakeUpstream upstream([](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.body = std::string(5000, 'y');
    reply.close_mid_body = true;
    return reply;
  });
  Result<OutboundResponse> r = NewCurlHttpClient()->Send(Loopback(upstream.Url("/cut")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUpstreamError) << r.status().ToString();
}

TEST(HttpClientTest, SameHostRedirectsAreFollowedAndOtherHostsRefused) {
  FakeUpstream other([](const UpstreamRequest&) { return UpstreamReply{}; });
  const std::string elsewhere = other.Url("/stolen");
  FakeUpstream upstream([&elsewhere](const UpstreamRequest& request) {
    UpstreamReply reply;
    if (request.target == "/moved") {
      reply.status = 307;
      reply.headers = {{"Location", "/here"}};
    } else if (request.target == "/away") {
      reply.status = 302;
      reply.headers = {{"Location", elsewhere}};
    } else {
      reply.body = R"({"at":"here"})";
    }
    return reply;
  });
  auto client = NewCurlHttpClient();
  Result<OutboundResponse> r = client->Send(Loopback(upstream.Url("/moved")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, R"({"at":"here"})");
  EXPECT_EQ(upstream.requests().back().method, "POST") << "307 keeps the method";

  r = client->Send(Loopback(upstream.Url("/away")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUpstreamError);
  EXPECT_NE(r.status().message().find("another host"), std::string::npos);
  EXPECT_TRUE(other.requests().empty()) << "the other host was called";
}

TEST(HttpClientTest, SafeCallsAreRetriedAfterA503AndUnsafeOnesAreNot) {
  int calls = 0;
  FakeUpstream upstream([&calls](const UpstreamRequest&) {
    UpstreamReply reply;
    if (++calls < 3) reply.status = 503;
    return reply;
  });
  auto client = NewCurlHttpClient();
  OutboundRequest unsafe = Loopback(upstream.Url("/flaky"));
  Result<OutboundResponse> r = client->Send(unsafe);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(calls, 1);

  calls = 0;
  OutboundRequest safe = unsafe;
  safe.retry_safe = true;
  r = client->Send(safe);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(calls, 3);
}

TEST(HttpClientTest, ConnectionsAreReusedAcrossCalls) {
  FakeUpstream upstream([](const UpstreamRequest&) { return UpstreamReply{}; });
  auto client = NewCurlHttpClient();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->Send(Loopback(upstream.Url("/"))).ok());
  EXPECT_EQ(upstream.connections(), 1);
}

TEST(HttpClientTest, TheGuardRefusesPrivateLoopbackLinkLocalAndMetadataAddresses) {
  FakeUpstream upstream([](const UpstreamRequest&) { return UpstreamReply{}; });
  const std::string port = std::to_string(upstream.port());
  auto client = NewCurlHttpClient();
  for (const std::string& host :
       {std::string("127.0.0.1"), std::string("localhost"), std::string("2130706433"),
        std::string("[::1]"), std::string("0.0.0.0"), std::string("169.254.169.254"),
        std::string("10.1.2.3"), std::string("[::ffff:127.0.0.1]")}) {
    SCOPED_TRACE(host);
    OutboundRequest request;
    request.url = "http://" + host + ":" + port + "/";
    request.timeout = milliseconds(2000);
    Result<OutboundResponse> r = client->Send(request);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  }
  EXPECT_TRUE(upstream.requests().empty()) << "a refused address was called";
}

TEST(HttpClientTest, AGuardedCallNeverReusesAnUnguardedConnection) {
  FakeUpstream upstream([](const UpstreamRequest&) { return UpstreamReply{}; });
  auto client = NewCurlHttpClient();
  ASSERT_TRUE(client->Send(Loopback(upstream.Url("/"))).ok());
  OutboundRequest guarded = Loopback(upstream.Url("/"));
  guarded.allow_private = false;
  Result<OutboundResponse> r = client->Send(guarded);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TEST(HttpClientTest, GuardRangesByAddress) {
  for (const char* refused :
       {"127.0.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd00:ec2::254", "::ffff:10.0.0.1",
        "224.0.0.1", "64:ff9b::7f00:1",
        // IPv6 forms carrying an internal IPv4 address (issue 32): IPv4-compatible, local-use
        // NAT64, 6to4, SIIT; and Teredo, which hides its addresses.
        "::7f00:1", "::127.0.0.1", "::8.8.8.8", "64:ff9b:1::7f00:1", "64:ff9b:1::808:808",
        "2002:7f00:1::1", "2002:a00:1::1", "::ffff:0:7f00:1", "::ffff:0:a00:1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "100::1"}) {
    EXPECT_FALSE(GuardRefusal(refused).empty()) << refused;
  }
  for (const char* allowed : {"8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700::1111", "100.128.0.1",
                              "2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(GuardRefusal(allowed).empty()) << allowed;
  }
}

TEST(HttpClientTest, UrlsMustBeHttpWithAHostAndNoCredentials) {
  EXPECT_TRUE(CheckOutboundUrl("https://api.example.com/v1").ok());
  EXPECT_FALSE(CheckOutboundUrl("ftp://example.com/").ok());
  EXPECT_FALSE(CheckOutboundUrl("file:///etc/passwd").ok());
  EXPECT_FALSE(CheckOutboundUrl("http://user:pw@example.com/").ok());
  EXPECT_FALSE(CheckOutboundUrl("not a url").ok());
}

}  // namespace
}  // namespace voxbase
