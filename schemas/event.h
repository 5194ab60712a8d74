// The event envelope and the catalogue of event types: the only thing written to the log.
//
// On the log an event is one JSON object, readable by any tool:
//   {"id":"evt_…","type":"messages.added","version":1,"appId":"app_…","ts":1700000000000,
//    "payload":{…}}
// `id`, `appId` and `ts` are decided at ingest. A decoder refuses an unknown type or a version it
// cannot upcast: the processor then stops loudly instead of skipping the event (DESIGN.md
// invariant 8: the log is never rewritten; old versions are upcast when read).
//
// EventDecoder owns a simdjson parser and is not thread-safe; a DecodedEvent's views point into the
// decoder and stay valid until its next Decode().
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"

namespace voxbase {

enum class EventType {
  kAppCreated,         // an app and its hashed secret
  kSessionCreated,     // a short-lived browser token (its hash)
  kTelemetryRecorded,  // a batch of raw telemetry events
  kConversationSaved,  // a conversation created or updated by session id
  kMessagesAdded,      // a batch of transcription messages
};

std::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(std::string_view name);
// The version ingest writes today; older ones are upcast on read.
int CurrentVersion(EventType type);

// An event to append. `payload_json` is one JSON object.
struct Event {
  std::string id;
  EventType type = EventType::kAppCreated;
  std::string app_id;
  int64_t ts_ms = 0;
  std::string payload_json;
};

// The bytes that go on the log for `event`, at its type's current version.
std::string EncodeEvent(const Event& event);

struct DecodedEvent {
  std::string_view id;
  EventType type;
  int version;  // after upcasting: always CurrentVersion(type)
  std::string_view app_id;
  int64_t ts_ms;
  simdjson::dom::object payload;
};

class EventDecoder {
 public:
  EventDecoder();
  // Parses and validates one log record. Fails on malformed JSON, a missing envelope field, an
  // unknown type or a version newer than this build (or older with no upcaster).
  Result<DecodedEvent> Decode(std::string_view record);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace voxbase
