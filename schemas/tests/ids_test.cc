#include "schemas/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace voxbase {
namespace {

TEST(IdsTest, NewIdsHavePrefixFixedLengthAndDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = NewId("app_");
    ASSERT_TRUE(IsAppId(id)) << id;
    ASSERT_TRUE(seen.insert(id).second) << "repeated " << id;
  }
}

TEST(IdsTest, IsAppIdRejectsLookalikes) {
  EXPECT_FALSE(IsAppId("app_0123"));
  EXPECT_FALSE(IsAppId("app_0123456789ABCDEF"));
  EXPECT_FALSE(IsAppId("apq_0123456789abcdef"));
  EXPECT_FALSE(IsAppId("app_0123456789abcdeg"));
  EXPECT_TRUE(IsAppId("app_0123456789abcdef"));
}

TEST(IdsTest, HexRoundTripsAndRejectsBadInput) {
  std::string bytes("\x00\xff\x10 z", 5);
  std::string decoded;
  ASSERT_TRUE(HexDecode(HexEncode(bytes), &decoded));
  EXPECT_EQ(decoded, bytes);
  EXPECT_FALSE(HexDecode("abc", &decoded));
  EXPECT_FALSE(HexDecode("zz", &decoded));
}

}  // namespace
}  // namespace voxbase
