// Least privilege, route by route: every route the server declares (`voxbase routes`, the route
// catalogue itself) is called with each kind of credential — the secret, an operator token, a user
// token of the session the request names, a user token of another session, a revoked token and an
// expired one — and each call is allowed or refused exactly as the route's declared scope says.
// A route added without a scope cannot be built (Router::Add aborts); one added with a scope is
// exercised here without editing this file, and must be in the README's scope table.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/server_process.h"

namespace voxbase::testing {
namespace {

constexpr char kSession[] = "ses_scoped";

struct Route {
  std::string method, path, scope;
};

std::vector<Route> DeclaredRoutes() {
  CommandOutput out = RunVoxbase({"routes"});
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  std::vector<Route> routes;
  std::istringstream lines(out.stdout_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    Route r;
    std::getline(fields, r.method, '\t');
    std::getline(fields, r.path, '\t');
    std::getline(fields, r.scope, '\t');
    routes.push_back(r);
  }
  return routes;
}

enum class Credential { kSecret, kOperator, kOwnUser, kOtherUser, kRevoked, kExpired };

const char* Name(Credential c) {
  switch (c) {
    case Credential::kSecret:
      return "the secret";
    case Credential::kOperator:
      return "an operator token";
    case Credential::kOwnUser:
      return "a user token of the named session";
    case Credential::kOtherUser:
      return "a user token of another session";
    case Credential::kRevoked:
      return "a revoked token";
    case Credential::kExpired:
      return "an expired token";
  }
  return "?";
}

// What each scope lets each credential do (api/access.h), written out here independently of the
// server's own table.
bool Allowed(const std::string& scope, Credential c) {
  if (c == Credential::kRevoked || c == Credential::kExpired) return false;
  if (scope == "admin") return false;
  if (scope == "secret") return c == Credential::kSecret;
  if (scope == "operator") return c == Credential::kSecret || c == Credential::kOperator;
  if (scope == "session-read") return c != Credential::kOtherUser;
  if (scope == "session-write") return c == Credential::kSecret || c == Credential::kOwnUser;
  if (scope == "agent") return true;
  ADD_FAILURE() << "a scope this test does not know: " << scope;
  return false;
}

// A refusal for who the caller is (as opposed to what it asked for): 401 or 403 with one of the
// Authenticator's words.
bool RefusedForCredentials(const HttpResponse& r) {
  if (r.status != 401 && r.status != 403) return false;
  for (const char* words : {"needs scope", "reaches only its own session", "session token revoked",
                            "session token expired", "admin token required", "server-to-server",
                            "invalid credentials"}) {
    if (r.body.find(words) != std::string::npos) return true;
  }
  return false;
}

class ScopesTest : public ServerWithAppTest {
 protected:
  ScopesTest() : ServerWithAppTest("scoped") {}

  std::string Mint(const std::string& fields) {
    Result<HttpResponse> r = client_->Request(
        "POST", "/api/auth/session",
        R"({"appSlug":"scoped","appSecret":")" + app_.secret + "\"," + fields + "}");
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    return r.ok() ? JsonString(r->body, "sessionToken") : "";
  }

  // `route` called with `credential`: the session it names is always kSession.
  HttpResponse Call(const Route& route, Credential credential) {
    std::string body, target = route.path;
    if (credential == Credential::kSecret) {
      if (route.method == "GET") {
        target += "?appSlug=scoped&appSecret=" + app_.secret + "&sessionId=" + kSession;
      } else {
        body = R"({"appSlug":"scoped","appSecret":")" + app_.secret + R"(","sessionId":")" +
               kSession + R"("})";
      }
    } else {
      const std::string& token = tokens_.at(credential);
      if (route.method == "GET") {
        target += std::string("?sessionToken=") + token + "&sessionId=" + kSession;
      } else {
        body = R"({"sessionToken":")" + token + R"(","sessionId":")" + kSession + R"("})";
      }
    }
    Result<HttpResponse> r = server_->Client()->Request(route.method, target, body);
    EXPECT_TRUE(r.ok()) << route.method << " " << route.path << ": " << r.status().ToString();
    return r.ok() ? *r : HttpResponse{};
  }

  std::map<Credential, std::string> tokens_;
};

TEST_F(ScopesTest, EveryRouteAllowsAndRefusesExactlyWhatItsScopeSays) {
  // The expired token first, so that by the time it is used its second has passed.
  tokens_[Credential::kExpired] =
      Mint(R"("ttlMs":1000,"sessionId":")" + std::string(kSession) + "\"");
  const auto expired_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  tokens_[Credential::kOperator] = Mint(R"("role":"operator")");
  tokens_[Credential::kOwnUser] = Mint(R"("sessionId":")" + std::string(kSession) + "\"");
  tokens_[Credential::kOtherUser] = Mint(R"("sessionId":"ses_elsewhere")");
  tokens_[Credential::kRevoked] = Mint(R"("sessionId":")" + std::string(kSession) + "\"");
  Result<HttpResponse> revoked =
      client_->Request("DELETE", "/api/auth/session",
                       R"({"sessionToken":")" + tokens_[Credential::kRevoked] + R"("})");
  ASSERT_TRUE(revoked.ok() && revoked->status == 200) << (revoked.ok() ? revoked->body : "");

  std::vector<Route> routes = DeclaredRoutes();
  ASSERT_GT(routes.size(), 50u);
  // Calls that end a credential go last: a token revoking itself, then the secret ending all.
  auto ends_credentials = [](const Route& r) {
    return (r.method == "DELETE" && r.path == "/api/auth/session") ? 1
           : r.path == "/api/auth/session/revoke-all"              ? 2
                                                                   : 0;
  };
  std::stable_sort(routes.begin(), routes.end(), [&](const Route& a, const Route& b) {
    return ends_credentials(a) < ends_credentials(b);
  });
  while (std::chrono::steady_clock::now() < expired_at) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a token's TTL is wall time
  }

  std::map<std::string, int> scopes_seen;
  for (const Route& route : routes) {
    ++scopes_seen[route.scope];
    if (route.scope == "public") continue;  // takes no app credentials; nothing to refuse
    for (Credential c : {Credential::kExpired, Credential::kRevoked, Credential::kOtherUser,
                         Credential::kOperator, Credential::kOwnUser, Credential::kSecret}) {
      HttpResponse r = Call(route, c);
      EXPECT_EQ(RefusedForCredentials(r), !Allowed(route.scope, c))
          << route.method << " " << route.path << " (" << route.scope << ") with " << Name(c)
          << ": " << r.status << " " << r.body.substr(0, 300);
      if (c == Credential::kRevoked && route.scope != "admin") {
        EXPECT_NE(r.body.find("revoked"), std::string::npos) << route.path << ": " << r.body;
      }
      if (c == Credential::kExpired && route.scope != "admin") {
        EXPECT_NE(r.body.find("expired"), std::string::npos) << route.path << ": " << r.body;
      }
    }
  }
  for (const char* scope :
       {"public", "admin", "secret", "operator", "session-read", "session-write", "agent"}) {
    EXPECT_GT(scopes_seen[scope], 0) << "no route declares " << scope;
  }
}

// The README's scope table names every route with its scope, as the server declares it.
TEST(ScopesReadmeTest, TheReadmeScopeTableIsTheCatalogue) {
  std::ifstream in(std::string(VOXBASE_TESTS_DIR) + "/../README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  for (const Route& r : DeclaredRoutes()) {
    const std::string row = "| " + r.method + " | `" + r.path + "` | " + r.scope + " |";
    EXPECT_NE(readme.str().find(row), std::string::npos) << "README.md has no row " << row;
  }
}

}  // namespace
}  // namespace voxbase::testing
