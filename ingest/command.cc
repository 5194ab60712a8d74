#include "ingest/command.h"

#include "schemas/json_writer.h"

namespace voxbase {

Event NewEvent(const CommandInput& in, EventType type, std::string app_id, std::string payload) {
  return Event{std::string(in.event_id), type,        std::move(app_id), in.now_ms,
               std::move(payload),       std::nullopt};
}

Status ReadSessionId(simdjson::dom::object obj, const IngestLimits& limits, std::string_view where,
                     std::optional<std::string_view>* out) {
  VOX_RETURN_IF_ERROR(
      ReadString(obj, "sessionId", Presence::kRequired, limits.max_identifier_bytes, out, where));
  return CheckIdentifier(**out, limits.max_identifier_bytes, FieldName(where, "sessionId"));
}

Result<BatchEvent> BuildBatch(const CommandInput& in, std::string_view field, EventType type,
                              const WriteItem& write_item) {
  simdjson::dom::element value;
  if (in.body[field].get(value)) return InvalidArgument(std::string(field) + " is required");
  simdjson::dom::array items;
  if (value.get(items)) return InvalidArgument(std::string(field) + " must be an array");
  const size_t count = items.size();
  if (count == 0) return InvalidArgument(std::string(field) + " must not be empty");
  if (count > in.limits->max_batch_items) {
    return InvalidArgument(std::string(field) + " holds " + std::to_string(count) +
                           " items; the limit is " + std::to_string(in.limits->max_batch_items));
  }
  const std::string id_prefix = std::string(EventIdSuffix(in.event_id)) + ".";
  JsonWriter w;
  w.BeginObject().Key(field).BeginArray();
  size_t i = 0;
  for (simdjson::dom::element item : items) {
    const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    simdjson::dom::object obj;
    if (item.get(obj)) return InvalidArgument(where + " must be an object");
    VOX_RETURN_IF_ERROR(write_item(obj, where, id_prefix + std::to_string(i), w));
    ++i;
  }
  w.EndArray().EndObject();
  return BatchEvent{NewEvent(in, type, w.str()), count};
}

namespace {
constexpr size_t kMaxJsonDepth = 64;
}  // namespace

Result<simdjson::dom::object> ParseJsonBody(const std::string& body) {
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    if (p.allocate(64 * 1024, kMaxJsonDepth) != simdjson::SUCCESS) throw std::bad_alloc();
    return p;
  }();
  simdjson::dom::element root;
  if (auto err = parser.parse(body).get(root)) {
    if (err == simdjson::DEPTH_ERROR) {
      return InvalidArgument("JSON body is nested more than 64 levels deep");
    }
    return InvalidArgument(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get(obj)) return InvalidArgument("body must be a JSON object");
  return obj;
}

}  // namespace voxbase
