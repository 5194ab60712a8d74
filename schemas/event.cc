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

constexpr std::array<TypeInfo, kEventTypeCount> kTypes = {{
#define VOXBASE_EVENT_INFO(name, wire, version) {EventType::name, wire, version},
    VOXBASE_EVENT_TYPES(VOXBASE_EVENT_INFO)
#undef VOXBASE_EVENT_INFO
}};

constexpr bool CatalogueIsInEnumOrder() {
  for (size_t i = 0; i < kTypes.size(); ++i) {
    if (static_cast<size_t>(kTypes[i].type) != i) return false;
  }
  return true;
}
static_assert(CatalogueIsInEnumOrder());

constexpr size_t kMaxEnvelopeDepth = 128;

}  // namespace

const std::array<EventType, kEventTypeCount>& AllEventTypes() {
  static const std::array<EventType, kEventTypeCount> kAll = [] {
    std::array<EventType, kEventTypeCount> all{};
    for (size_t i = 0; i < kTypes.size(); ++i) all[i] = kTypes[i].type;
    return all;
  }();
  return kAll;
}

std::string_view EventTypeName(EventType type) {
  auto i = static_cast<size_t>(type);
  return i < kTypes.size() ? kTypes[i].name : "unknown";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (const auto& t : kTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

int CurrentVersion(EventType type) {
  auto i = static_cast<size_t>(type);
  return i < kTypes.size() ? kTypes[i].version : 0;
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
      .Field("ts", event.ts_ms);
  if (event.idempotency) {
    head.Key("idempotency")
        .BeginObject()
        .Field("scope", event.idempotency->scope)
        .Field("key", event.idempotency->key)
        .Field("requestHash", event.idempotency->request_hash)
        .EndObject();
  }
  head.Key("payload");
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
  return DecodeParsed(parser_.parse(record.data(), record.size()));
}

Result<DecodedEvent> EventDecoder::DecodePadded(const std::string& record) {
  return DecodeParsed(parser_.parse(record));
}

Result<DecodedEvent> EventDecoder::DecodePaddedInto(simdjson::dom::document& document,
                                                    const std::string& record) {
  const bool padded = record.capacity() - record.size() >= simdjson::SIMDJSON_PADDING;
  return DecodeParsed(parser_.parse_into_document(document, record.data(), record.size(), !padded));
}

Result<DecodedEvent> EventDecoder::DecodeParsed(
    simdjson::simdjson_result<simdjson::dom::element> parsed) {
  simdjson::dom::element root;
  if (auto err = std::move(parsed).get(root)) {
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
  DecodedEvent event{id, *type, current, app_id, ts, payload, {}, {}, {}};
  simdjson::dom::object idempotency;
  if (!obj["idempotency"].get(idempotency)) {
    if (idempotency["scope"].get(event.idempotency_scope) ||
        idempotency["key"].get(event.idempotency_key) ||
        idempotency["requestHash"].get(event.request_hash) || event.idempotency_key.empty()) {
      return Corruption("event " + std::string(id) + " has a malformed idempotency tag");
    }
  }
  return event;
}

}  // namespace voxbase
