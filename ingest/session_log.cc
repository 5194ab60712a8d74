#include "ingest/session_log.h"

#include "schemas/json_minify.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

void OptionalStringField(JsonWriter& w, std::string_view key,
                         const std::optional<std::string_view>& v) {
  w.Key(key);
  v ? w.String(*v) : w.Null();
}

}  // namespace

Result<BatchEvent> BuildTelemetryRecorded(const CommandInput& in) {
  const IngestLimits& limits = *in.limits;
  return BuildBatch(
      in, "events", EventType::kTelemetryRecorded,
      [&](simdjson::dom::object obj, const std::string& where, const std::string& item_id,
          JsonWriter& w) -> Status {
        std::optional<std::string_view> type, session_id;
        std::optional<int64_t> ts;
        VOX_RETURN_IF_ERROR(ReadString(obj, "type", Presence::kRequired,
                                       limits.max_identifier_bytes, &type, where));
        VOX_RETURN_IF_ERROR(CheckIdentifier(*type, limits.max_identifier_bytes, where + ".type"));
        VOX_RETURN_IF_ERROR(ReadSessionId(obj, limits, where, &session_id));
        VOX_RETURN_IF_ERROR(ReadInt(obj, "ts", Presence::kOptional, 0, kMaxTimeMs, &ts, where));
        std::string data = "null";
        simdjson::dom::element data_value;
        if (!obj["data"].get(data_value)) {
          data.clear();
          AppendMinified(data_value, &data);
          if (data.size() > limits.max_data_bytes) {
            return InvalidArgument(where + ".data is " + std::to_string(data.size()) +
                                   " bytes as JSON; the limit is " +
                                   std::to_string(limits.max_data_bytes));
          }
        }
        w.BeginObject()
            .Field("id", "evt_" + item_id)
            .Field("sessionId", *session_id)
            .Field("type", *type)
            .Field("ts", ts.value_or(in.now_ms))
            .RawField("data", data)
            .Field("receivedAt", in.now_ms)
            .EndObject();
        return Status::Ok();
      });
}

Result<BatchEvent> BuildMessagesAdded(const CommandInput& in) {
  const IngestLimits& limits = *in.limits;
  return BuildBatch(
      in, "messages", EventType::kMessagesAdded,
      [&](simdjson::dom::object obj, const std::string& where, const std::string& item_id,
          JsonWriter& w) -> Status {
        std::optional<std::string_view> session_id, room, participant, role, content;
        std::optional<bool> is_final;
        std::optional<int64_t> created_at;
        VOX_RETURN_IF_ERROR(ReadSessionId(obj, limits, where, &session_id));
        VOX_RETURN_IF_ERROR(
            ReadString(obj, "roomName", Presence::kOptional, limits.max_name_bytes, &room, where));
        VOX_RETURN_IF_ERROR(ReadString(obj, "participantIdentity", Presence::kOptional,
                                       limits.max_name_bytes, &participant, where));
        VOX_RETURN_IF_ERROR(
            ReadWord(obj, "role", Presence::kRequired, kMessageRoles, &role, where));
        VOX_RETURN_IF_ERROR(ReadString(obj, "content", Presence::kRequired,
                                       limits.max_content_bytes, &content, where));
        VOX_RETURN_IF_ERROR(ReadBool(obj, "isFinal", Presence::kOptional, &is_final, where));
        VOX_RETURN_IF_ERROR(
            ReadInt(obj, "createdAt", Presence::kOptional, 0, kMaxTimeMs, &created_at, where));
        w.BeginObject().Field("id", "msg_" + item_id).Field("sessionId", *session_id);
        OptionalStringField(w, "roomName", room);
        OptionalStringField(w, "participantIdentity", participant);
        w.Field("role", *role)
            .Field("content", *content)
            .Field("isFinal", is_final.value_or(true))
            .Field("createdAt", created_at.value_or(in.now_ms))
            .EndObject();
        return Status::Ok();
      });
}

}  // namespace voxbase
