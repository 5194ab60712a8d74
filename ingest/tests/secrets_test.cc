#include "ingest/secrets.h"

#include <gtest/gtest.h>

namespace voxbase {
namespace {

TEST(SecretsTest, SaltedHashesDifferBySaltAndCompareInConstantTime) {
  std::string a = SaltedSecretHash("salt-1", "secret");
  std::string b = SaltedSecretHash("salt-2", "secret");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(ConstantTimeEquals(a, SaltedSecretHash("salt-1", "secret")));
  EXPECT_FALSE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, a.substr(1)));
}

TEST(SecretsTest, SessionTokensCarryTheirAppIdAndRejectForgeries) {
  std::string token = NewSessionToken("app_0123456789abcdef");
  std::string app_id;
  ASSERT_TRUE(SessionTokenAppId(token, &app_id));
  EXPECT_EQ(app_id, "app_0123456789abcdef");
  EXPECT_NE(NewSessionToken("app_0123456789abcdef"), token);
  EXPECT_FALSE(SessionTokenAppId("vxs_app_0123456789abcdef_short", &app_id));
  EXPECT_FALSE(SessionTokenAppId(token.substr(1), &app_id));
  std::string bad_app = token;
  bad_app[5] = 'X';
  EXPECT_FALSE(SessionTokenAppId(bad_app, &app_id));
}

}  // namespace
}  // namespace voxbase
