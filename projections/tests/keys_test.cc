#include "projections/keys.h"

#include <gtest/gtest.h>

#include "projections/conversations.h"
#include "projections/idempotency.h"
#include "projections/session_log.h"
#include "projections/sessions.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

constexpr std::string_view kApp = "app_0123456789abcdef";

TEST(KeysTest, SessionLogKeysSortByTimeThenOffsetThenIndex) {
  std::vector<std::string> keys = {
      SessionLogKey(kApp, "s", 5, 0, 0),     SessionLogKey(kApp, "s", 1000, 0, 0),
      SessionLogKey(kApp, "s", 1000, 1, 0),  SessionLogKey(kApp, "s", 1000, 1, 7),
      SessionLogKey(kApp, "s", 70000, 0, 0),
  };
  for (size_t i = 1; i < keys.size(); ++i) EXPECT_LT(keys[i - 1], keys[i]) << i;
}

TEST(KeysTest, OneSessionsPrefixNeverCoversAnotherSession) {
  // "s" must not be a prefix of "s1"'s rows: the NUL terminator separates them.
  std::string prefix = SessionLogPrefix(kApp, "s");
  EXPECT_FALSE(SessionLogKey(kApp, "s1", 1, 0, 0).starts_with(prefix));
  EXPECT_TRUE(SessionLogKey(kApp, "s", 1, 0, 0).starts_with(prefix));
}

TEST(KeysTest, EveryKeyStartsWithItsAppId) {
  EXPECT_TRUE(SessionLogKey(kApp, "s", 1, 2, 3).starts_with(kApp));
  EXPECT_TRUE(ConversationKey(kApp, "s").starts_with(kApp));
  EXPECT_TRUE(ConversationByStartKey(kApp, 1, "s").starts_with(kApp));
  EXPECT_TRUE(SessionTokenKey(kApp, "hash").starts_with(kApp));
}

TEST(KeysTest, ConversationIndexIsNewestFirst) {
  EXPECT_LT(ConversationByStartKey(kApp, 2000, "a"), ConversationByStartKey(kApp, 1000, "a"));
}

TEST(KeysTest, ValuesCarryAVersionByte) {
  std::string stored = EncodeValue(R"({"a":1})");
  Result<std::string_view> json = DecodeValue(stored);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"a":1})");
  EXPECT_FALSE(DecodeValue(R"({"a":1})").ok());
  EXPECT_FALSE(DecodeValue("").ok());
}

TEST(KeysTest, IndexKindsHaveDistinctNonZeroBytes) {
  EXPECT_NE(static_cast<int>(IndexKind::kConversationsByStart), 0);
  EXPECT_EQ(IndexPrefix(kApp, IndexKind::kConversationsByStart).size(), kAppIdLength + 1);
  EXPECT_TRUE(ConversationByStartKey(kApp, 1, "s")
                  .starts_with(IndexPrefix(kApp, IndexKind::kConversationsByStart)));
}

TEST(KeysTest, RowVersionsAreCheckedOnDecode) {
  EXPECT_TRUE(DecodeValue(EncodeValue("{}", 2), 2).ok());
  EXPECT_FALSE(DecodeValue(EncodeValue("{}", 2), 1).ok());
}

TEST(KeysTest, IdempotencyKeysOfOneScopeNeverCoverAnothers) {
  EXPECT_NE(IdempotencyKey("admin", "x"), IdempotencyKey("admi", "nx"));
}

TEST(TablesTest, EighteenTablesPlusSystemFamiliesAllNamed) {
  EXPECT_EQ(FamilyNames().size(), static_cast<size_t>(kTableCount));
  EXPECT_EQ(FamilyNames()[Family(Table::kIdempotency)], "sys.idempotency");
  EXPECT_EQ(FamilyNames()[Family(Table::kMessages)], "messages");
  EXPECT_EQ(FamilyNames()[Family(Table::kLivekitParticipants)], "livekitParticipants");
  EXPECT_EQ(Family(Table::kAppSlugs), 18);
}

}  // namespace
}  // namespace voxbase
