#include "schemas/event.h"

#include <gtest/gtest.h>

namespace voxbase {
namespace {

Event SampleEvent() {
  return Event{"evt_0123456789abcdef",
               EventType::kMessagesAdded,
               "app_00112233445566aa",
               1700000000123,
               R"({"messages":[{"sessionId":"s1","content":"hi"}]})",
               std::nullopt};
}

TEST(EventTest, EncodeThenDecodeKeepsEveryEnvelopeField) {
  std::string record = EncodeEvent(SampleEvent());
  EventDecoder decoder;
  Result<DecodedEvent> decoded = decoder.Decode(record);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, "evt_0123456789abcdef");
  EXPECT_EQ(decoded->type, EventType::kMessagesAdded);
  EXPECT_EQ(decoded->version, 1);
  EXPECT_EQ(decoded->app_id, "app_00112233445566aa");
  EXPECT_EQ(decoded->ts_ms, 1700000000123);
  simdjson::dom::array messages;
  ASSERT_FALSE(decoded->payload["messages"].get(messages));
  EXPECT_EQ(messages.size(), 1u);
}

TEST(EventTest, RecordIsPlainJsonWithTypeAndVersion) {
  std::string record = EncodeEvent(SampleEvent());
  EXPECT_NE(record.find(R"("type":"messages.added")"), std::string::npos) << record;
  EXPECT_NE(record.find(R"("version":1)"), std::string::npos) << record;
}

TEST(EventTest, UnknownTypeIsRefusedNotSkipped) {
  EventDecoder decoder;
  Result<DecodedEvent> decoded = decoder.Decode(
      R"({"id":"evt_1","type":"thing.happened","version":1,"appId":"app_00112233445566aa","ts":1,"payload":{}})");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(decoded.status().message().find("thing.happened"), std::string::npos);
}

TEST(EventTest, VersionNewerThanThisBuildIsRefused) {
  EventDecoder decoder;
  Result<DecodedEvent> decoded = decoder.Decode(
      R"({"id":"evt_1","type":"messages.added","version":2,"appId":"app_00112233445566aa","ts":1,"payload":{}})");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
}

TEST(EventTest, MalformedRecordsAreCorruption) {
  EventDecoder decoder;
  for (std::string_view bad :
       {std::string_view("not json"), std::string_view("[1,2]"),
        std::string_view(R"({"id":"evt_1","type":"messages.added"})"), std::string_view("")}) {
    Result<DecodedEvent> decoded = decoder.Decode(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << bad;
  }
}

TEST(EventTest, EveryTypeRoundTripsByName) {
  for (EventType t :
       {EventType::kAppCreated, EventType::kSessionCreated, EventType::kTelemetryRecorded,
        EventType::kConversationSaved, EventType::kMessagesAdded}) {
    std::optional<EventType> parsed = ParseEventType(EventTypeName(t));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, t);
    EXPECT_GE(CurrentVersion(t), 1);
  }
}

}  // namespace
}  // namespace voxbase
