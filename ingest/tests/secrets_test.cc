#include "ingest/secrets.h"

#include <gtest/gtest.h>

#include "schemas/ids.h"

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
  const std::string key = "0123456789abcdef-key";
  std::string token = DeriveSessionToken("app_0123456789abcdef", key, "evt_0000000000000001");
  std::string app_id;
  ASSERT_TRUE(SessionTokenAppId(token, &app_id));
  EXPECT_EQ(app_id, "app_0123456789abcdef");
  // The same event gives the same token; another event or another key does not.
  EXPECT_EQ(DeriveSessionToken("app_0123456789abcdef", key, "evt_0000000000000001"), token);
  EXPECT_NE(DeriveSessionToken("app_0123456789abcdef", key, "evt_0000000000000002"), token);
  EXPECT_NE(
      DeriveSessionToken("app_0123456789abcdef", "another-key-000000", "evt_0000000000000001"),
      token);
  EXPECT_FALSE(SessionTokenAppId("vxs_app_0123456789abcdef_short", &app_id));
  EXPECT_FALSE(SessionTokenAppId(token.substr(1), &app_id));
  std::string bad_app = token;
  bad_app[5] = 'X';
  EXPECT_FALSE(SessionTokenAppId(bad_app, &app_id));
}

TEST(SecretsTest, HmacMatchesRfc4231TestCase2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace voxbase
