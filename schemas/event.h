// The event envelope and the catalogue of event types: the only thing written to the log.
//
// On the log an event is one JSON object, readable by any tool:
//   {"id":"evt_…","type":"messages.added","version":1,"appId":"app_…","ts":1700000000000,
//    "idempotency":{"scope":"app_…","key":"…","requestHash":"…"},"payload":{…}}
// ("idempotency" only when the write carried an Idempotency-Key).
// `id`, `appId` and `ts` are decided at ingest. A decoder refuses an unknown type or a version it
// cannot upcast: the processor then stops loudly instead of skipping the event (DESIGN.md
// invariant 8: the log is never rewritten; old versions are upcast when read).
//
// EventDecoder owns a simdjson parser and is not thread-safe; a DecodedEvent's views point into the
// decoder and stay valid until its next Decode().
#pragma once

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/event_types.h"
#include "schemas/status.h"

namespace voxbase {

enum class EventType {
#define VOXBASE_EVENT_ENUMERATOR(name, wire, version) name,
  VOXBASE_EVENT_TYPES(VOXBASE_EVENT_ENUMERATOR)
#undef VOXBASE_EVENT_ENUMERATOR
};

// How many event types there are; EventType values are 0 .. kEventTypeCount - 1.
inline constexpr size_t kEventTypeCount = 0
#define VOXBASE_EVENT_COUNT(name, wire, version) +1
    VOXBASE_EVENT_TYPES(VOXBASE_EVENT_COUNT)
#undef VOXBASE_EVENT_COUNT
    ;

// Every event type, in catalogue order: for loops over all types (metrics, tests).
const std::array<EventType, kEventTypeCount>& AllEventTypes();

std::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(std::string_view name);
// The version ingest writes today; older ones are upcast on read.
int CurrentVersion(EventType type);

// An Idempotency-Key a write carried: the fold records it with the event id, so a retry is
// answered like the first request and appends nothing (see processors/idempotency.h).
struct IdempotencyTag {
  std::string scope;         // whose keys: the app id, or "admin" for the admin API
  std::string key;           // as the client sent it, at most 128 bytes
  std::string request_hash;  // hex SHA-256 of method, path and body
};

// An event to append. `payload_json` is one JSON object.
struct Event {
  std::string id;
  EventType type = EventType::kAppCreated;
  std::string app_id;
  int64_t ts_ms = 0;
  std::string payload_json;
  std::optional<IdempotencyTag> idempotency;
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
  std::string_view idempotency_scope;
  std::string_view idempotency_key;  // empty when the write carried none
  std::string_view request_hash;
};

class EventDecoder {
 public:
  EventDecoder();
  // Parses and validates one log record. Fails on malformed JSON, a missing envelope field, an
  // unknown type or a version newer than this build (or older with no upcaster).
  Result<DecodedEvent> Decode(std::string_view record);
  // The same, parsing in place when `record` has SIMDJSON_PADDING spare bytes of capacity (log
  // readers allocate payloads so), instead of copying it into a padded buffer first.
  Result<DecodedEvent> DecodePadded(const std::string& record);
  // The same, into `document`, which then holds what the event points into (instead of the
  // decoder's own, which the next call reuses): events decoded ahead stay valid.
  Result<DecodedEvent> DecodePaddedInto(simdjson::dom::document& document,
                                        const std::string& record);

 private:
  Result<DecodedEvent> DecodeParsed(simdjson::simdjson_result<simdjson::dom::element> parsed);

  simdjson::dom::parser parser_;
};

}  // namespace voxbase
