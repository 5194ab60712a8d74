// Authenticator with injected time: token expiry and the app cache move with a fake clock, not
// with sleeps.
#include "api/auth.h"

#include <gtest/gtest.h>

#include "ingest/secrets.h"
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
    batch->Put(Family(Table::kSessions), SessionTokenKey(kApp, Sha256(token_)),
               EncodeSessionRow({kNow, kNow + 60000}));
    ASSERT_TRUE(store_->Write(*batch).ok());
  }

  Result<AppContext> WithToken(const Authenticator& auth) {
    HttpRequest request;
    request.headers.emplace_back("authorization", "Bearer " + token_);
    return auth.ForQuery(request);
  }

  TestDir dir_;
  std::unique_ptr<ProjectionStore> store_;
  std::string token_;
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

}  // namespace
}  // namespace voxbase
