#include "schemas/event.h"

#include <array>
#include <new>

#include "schemas/json_writer.h"

namespace voxbase {
namespace {

struct TypeInfo {
  EventType type;
  std::string_view name;
  int version;
};

constexpr std::array<TypeInfo, 5> kTypes = {{
    {EventType::kAppCreated, "app.created", 1},
    {EventType::kSessionCreated, "session.created", 1},
    {EventType::kTelemetryRecorded, "telemetry.recorded", 1},
    {EventType::kConversationSaved, "conversation.saved", 1},
    {EventType::kMessagesAdded, "messages.added", 1},
}};

constexpr size_t kMaxEnvelopeDepth = 128;

}  // namespace

std::string_view EventTypeName(EventType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (const auto& t : kTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

int CurrentVersion(EventType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.version;
  }
  return 0;
}

std::string EncodeEvent(const Event& event) {
  // The envelope is written by the JSON writer up to the payload key; the payload, already JSON,
  // is appended as it is, so a large batch is copied once rather than three times.
  JsonWriter head;
  head.BeginObject()
      .Field("id", event.id)
      .Field("type", EventTypeName(event.type))
      .Field("version", CurrentVersion(event.type))
      .Field("appId", event.app_id)
      .Field("ts", event.ts_ms)
      .Key("payload");
  std::string record;
  record.reserve(head.view().size() + event.payload_json.size() + 2);
  record.append(head.view()).append(":").append(event.payload_json).push_back('}');
  return record;
}

EventDecoder::EventDecoder() {
  // Capacity grows on demand; the depth bound is what matters here.
  if (parser_.allocate(64 * 1024, kMaxEnvelopeDepth) != simdjson::SUCCESS) {
    throw std::bad_alloc();
  }
}

Result<DecodedEvent> EventDecoder::Decode(std::string_view record) {
  simdjson::dom::element root;
  if (auto err = parser_.parse(record.data(), record.size()).get(root)) {
    return Corruption(std::string("event is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return Corruption("event is not a JSON object");

  std::string_view id, type_name, app_id;
  int64_t version = 0, ts = 0;
  simdjson::dom::object payload;
  if (obj["id"].get(id) || obj["type"].get(type_name) || obj["version"].get(version) ||
      obj["appId"].get(app_id) || obj["ts"].get(ts) || obj["payload"].get(payload)) {
    return Corruption("event envelope lacks id, type, version, appId, ts or payload");
  }
  std::optional<EventType> type = ParseEventType(type_name);
  if (!type) {
    return Status(StatusCode::kFailedPrecondition, "unknown event type '" + std::string(type_name) +
                                                       "' (event " + std::string(id) +
                                                       "): this build cannot apply it");
  }
  int current = CurrentVersion(*type);
  if (version != current) {
    // No type has had a second version yet, so there is no upcaster to run: anything but the
    // current version is either from a newer build or damaged.
    return Status(StatusCode::kFailedPrecondition,
                  "event " + std::string(id) + " of type " + std::string(type_name) +
                      " has version " + std::to_string(version) + "; this build reads version " +
                      std::to_string(current));
  }
  return DecodedEvent{id, *type, current, app_id, ts, payload};
}

}  // namespace voxbase
