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

TEST(KeysTest, EveryKeyStartsWithItsAppId) {
  EXPECT_TRUE(SessionLogPrefix(kApp, "s").starts_with(kApp));
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
