// Authenticator with injected time: token expiry and the app cache move with a fake clock, not
// with sleeps.
#include "api/auth.h"

#include <gtest/gtest.h>

#include "ingest/secrets.h"
#include "processors/catalogue.h"
#include "processors/tables_processor.h"
#include "projections/apps.h"
#include "projections/keys.h"
#include "projections/sessions.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "storage/tests/test_dir.h"

namespace voxbase {
namespace {

constexpr char kApp[] = "app_0123456789abcdef";
constexpr int64_t kNow = 1700000000000;

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<ProjectionStore>> store =
        ProjectionStore::Open(ProjectionStoreOptions(dir_.path() + "/db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto batch = store_->NewBatch();
    const std::string salt = "0123456789abcdef";
    batch->Put(Family(Table::kAppSlugs), "shop", kApp);
    batch->Put(Family(Table::kApps), kApp,
               EncodeValue(R"({"slug":"shop","name":"Shop","secretSalt":")" + HexEncode(salt) +
                               R"(","secretHash":")" +
                               HexEncode(SaltedSecretHash(salt, "the-secret-value-1")) + R"("})",
                           kAppRowVersion));
    token_ = DeriveSessionToken(kApp, "key-0123456789abcdef", "evt_0000000000000001");
    // A token minted before roles (no role, no session), and tokens of each role.
    batch->Put(Family(Table::kSessions), SessionTokenKey(kApp, Sha256(token_)),
               EncodeSessionRow({kNow, kNow + 60000, "", "", std::nullopt}));
    user_ = DeriveSessionToken(kApp, "key-0123456789abcdef", "evt_0000000000000002");
    batch->Put(Family(Table::kSessions), SessionTokenKey(kApp, Sha256(user_)),
               EncodeSessionRow({kNow, kNow + 60000, "user", "ses_1", std::nullopt}));
    operator_ = DeriveSessionToken(kApp, "key-0123456789abcdef", "evt_0000000000000003");
    batch->Put(Family(Table::kSessions), SessionTokenKey(kApp, Sha256(operator_)),
               EncodeSessionRow({kNow, kNow + 60000, "operator", "", std::nullopt}));
    ASSERT_TRUE(store_->Write(*batch).ok());
  }

  Result<AppContext> WithToken(const Authenticator& auth) {
    HttpRequest request;
    request.access = Access::kAgent;
    request.headers.emplace_back("authorization", "Bearer " + token_);
    return auth.ForQuery(request);
  }

  // A GET to a route of `access` with `token`, naming `session` when not empty.
  Result<AppContext> Get(const Authenticator& auth, Access access, const std::string& token,
                         const std::string& session = "") {
    HttpRequest request;
    request.access = access;
    request.headers.emplace_back("authorization", "Bearer " + token);
    if (!session.empty()) request.query.emplace_back("sessionId", session);
    return auth.ForQuery(request);
  }

  // Folds one event through the real fold catalogue, as the runner would.
  void Apply(EventType type, const std::string& payload, int64_t ts) {
    std::string record = EncodeEvent(
        Event{"evt_" + std::to_string(applied_), type, kApp, ts, payload, std::nullopt});
    Result<DecodedEvent> event = decoder_.Decode(record);
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    auto batch = store_->NewBatch();
    ASSERT_TRUE(processor_.Apply(*event, {0, applied_++}, *batch).ok());
    ASSERT_TRUE(store_->Write(*batch).ok());
  }

  TestDir dir_;
  std::unique_ptr<ProjectionStore> store_;
  std::string token_, user_, operator_;
  TablesProcessor processor_{TableFolds().value()};
  EventDecoder decoder_;
  int64_t applied_ = 0;
};

TEST_F(AuthTest, ASessionTokenWorksUntilItsExpiryByTheClock) {
  ManualClock clock(kNow);
  Authenticator auth(*store_, clock, "");
  Result<AppContext> app = WithToken(auth);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->app_id, kApp);
  EXPECT_TRUE(app->via_session_token);
  clock.Advance(59999);
  EXPECT_TRUE(WithToken(auth).ok());
  clock.Advance(1);
  app = WithToken(auth);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(app.status().message(), "session token expired");
}

TEST_F(AuthTest, ACachedAppIsReloadedAfterFiveSecondsOfClockTime) {
  ManualClock clock(kNow);
  Authenticator auth(*store_, clock, "");
  HttpRequest request;
  request.access = Access::kSecret;
  request.query = {{"appSlug", "shop"}, {"appSecret", "the-secret-value-1"}};
  ASSERT_TRUE(auth.ForQuery(request).ok());
  // The app's row goes away (as it would if its secret were rotated): the cache still answers
  // within its lifetime, and the store is asked again once it is over.
  auto batch = store_->NewBatch();
  batch->Delete(Family(Table::kAppSlugs), "shop");
  ASSERT_TRUE(store_->Write(*batch).ok());
  clock.Advance(4999);
  EXPECT_TRUE(auth.ForQuery(request).ok());
  clock.Advance(1);
  EXPECT_FALSE(auth.ForQuery(request).ok());
}

TEST_F(AuthTest, EachRoleReachesWhatItsScopeAllows) {
  ManualClock clock(kNow);
  Authenticator auth(*store_, clock, "");
  struct Case {
    Access access;
    const std::string& token;
    std::string session;
    bool allowed;
  };
  const Case cases[] = {
      {Access::kSecret, user_, "ses_1", false},
      {Access::kSecret, operator_, "", false},
      {Access::kOperator, user_, "ses_1", false},
      {Access::kOperator, operator_, "", true},
      {Access::kSessionRead, user_, "ses_1", true},
      {Access::kSessionRead, user_, "ses_2", false},
      {Access::kSessionRead, user_, "", false},
      {Access::kSessionRead, operator_, "ses_2", true},
      {Access::kSessionWrite, user_, "ses_1", true},
      {Access::kSessionWrite, user_, "ses_2", false},
      {Access::kSessionWrite, operator_, "ses_1", false},
      {Access::kAgent, user_, "", true},
      {Access::kAgent, operator_, "", true},
      // Minted before roles: a user token bound to no session.
      {Access::kAgent, token_, "", true},
      {Access::kSessionRead, token_, "ses_1", false},
      {Access::kOperator, token_, "", false},
  };
  for (const Case& c : cases) {
    Result<AppContext> app = Get(auth, c.access, c.token, c.session);
    EXPECT_EQ(app.ok(), c.allowed)
        << AccessName(c.access) << " " << c.session << " " << app.status().ToString();
    if (!c.allowed) {
      EXPECT_EQ(app.status().code(), StatusCode::kPermissionDenied);
    }
  }
  // A refusal names the scope the route needs.
  Result<AppContext> refused = Get(auth, Access::kOperator, user_, "ses_1");
  EXPECT_NE(refused.status().message().find("needs scope operator"), std::string::npos)
      << refused.status().message();
}

TEST_F(AuthTest, LegacyTokensKeepAppWideRightsOnlyWhenAsked) {
  ManualClock clock(kNow);
  Authenticator legacy(*store_, clock, "", /*legacy_session_tokens=*/true);
  EXPECT_TRUE(Get(legacy, Access::kSessionRead, token_, "ses_9").ok());
  EXPECT_TRUE(Get(legacy, Access::kOperator, token_).ok());
  EXPECT_FALSE(Get(legacy, Access::kSecret, token_).ok());
  // Tokens with a role are what they are, whatever the flag.
  EXPECT_FALSE(Get(legacy, Access::kSessionRead, user_, "ses_9").ok());
}

TEST_F(AuthTest, ARevokedTokenEndsAtOnceEvenWhenCached) {
  ManualClock clock(kNow);
  Authenticator auth(*store_, clock, "");
  ASSERT_TRUE(Get(auth, Access::kAgent, user_).ok());  // now cached
  Apply(EventType::kSessionRevoked, R"({"tokenHash":")" + HexEncode(Sha256(user_)) + R"("})",
        kNow + 1);
  Result<AppContext> app = Get(auth, Access::kAgent, user_);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(app.status().message(), "session token revoked");
  EXPECT_TRUE(Get(auth, Access::kAgent, operator_).ok()) << "another token is untouched";
}

TEST_F(AuthTest, RevokeAllEndsEveryTokenMintedBeforeIt) {
  ManualClock clock(kNow);
  Authenticator auth(*store_, clock, "");
  ASSERT_TRUE(Get(auth, Access::kAgent, operator_).ok());
  Apply(EventType::kSessionsRevokedAll, "{}", kNow + 5);
  for (const std::string* token : {&user_, &operator_, &token_}) {
    Result<AppContext> app = Get(auth, Access::kAgent, *token);
    ASSERT_FALSE(app.ok());
    EXPECT_EQ(app.status().message(), "session token revoked");
  }
  // A token minted after it works.
  const std::string later =
      DeriveSessionToken(kApp, "key-0123456789abcdef", "evt_0000000000000099");
  Apply(EventType::kSessionCreated,
        R"({"tokenHash":")" + HexEncode(Sha256(later)) + R"(","expiresAt":)" +
            std::to_string(kNow + 60000) + R"(,"role":"user","sessionId":"ses_3"})",
        kNow + 6);
  EXPECT_TRUE(Get(auth, Access::kSessionWrite, later, "ses_3").ok());
}

}  // namespace
}  // namespace voxbase
