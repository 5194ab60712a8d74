#include "ingest/conversations.h"

#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {
constexpr size_t kMaxMetadataBytes = 16 * 1024;
constexpr size_t kMaxEndReasonDetailBytes = 1024;
}  // namespace

Result<ConversationCommand> BuildConversationSaved(const CommandInput& in) {
  const IngestLimits& limits = *in.limits;
  std::optional<std::string_view> session_id, status, channel, resolution, end_reason,
      end_reason_detail;
  std::optional<int64_t> started_at, ended_at;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, limits, "", &session_id));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "status", Presence::kOptional, kConversationStatuses, &status));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "channel", Presence::kOptional, 64, &channel));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "resolution", Presence::kOptional,
                                 limits.max_content_bytes, &resolution));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "endReason", Presence::kOptional, kEndReasons, &end_reason));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "endReasonDetail", Presence::kOptional,
                                 kMaxEndReasonDetailBytes, &end_reason_detail));
  if (end_reason_detail && !end_reason) {
    return InvalidArgument("endReasonDetail needs an endReason");
  }
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "startedAt", Presence::kOptional, 0, kMaxTimeMs, &started_at));
  VOX_RETURN_IF_ERROR(ReadInt(in.body, "endedAt", Presence::kOptional, 0, kMaxTimeMs, &ended_at));
  if (started_at && ended_at && *ended_at < *started_at) {
    return InvalidArgument("endedAt must not be before startedAt");
  }

  JsonWriter w;
  w.BeginObject().Field("sessionId", *session_id);
  if (status) w.Field("status", *status);
  if (channel) w.Field("channel", *channel);
  if (resolution) w.Field("resolution", *resolution);
  if (started_at) w.Field("startedAt", *started_at);
  if (ended_at) w.Field("endedAt", *ended_at);
  if (end_reason) w.Field("endReason", *end_reason);
  if (end_reason_detail) w.Field("endReasonDetail", *end_reason_detail);

  simdjson::dom::element value;
  if (!in.body["messages"].get(value) && !value.is_null()) {
    simdjson::dom::array transcript;
    if (value.get(transcript)) return InvalidArgument("messages must be an array");
    if (transcript.size() > limits.max_transcript_messages) {
      return InvalidArgument("messages holds " + std::to_string(transcript.size()) +
                             " entries; the limit is " +
                             std::to_string(limits.max_transcript_messages));
    }
    w.Key("messages").BeginArray();
    size_t i = 0;
    for (simdjson::dom::element entry : transcript) {
      const std::string where = "messages[" + std::to_string(i++) + "]";
      simdjson::dom::object obj;
      if (entry.get(obj)) return InvalidArgument(where + " must be an object");
      std::optional<std::string_view> role, content;
      std::optional<int64_t> ts;
      VOX_RETURN_IF_ERROR(ReadWord(obj, "role", Presence::kRequired, kMessageRoles, &role, where));
      VOX_RETURN_IF_ERROR(ReadString(obj, "content", Presence::kRequired, limits.max_content_bytes,
                                     &content, where));
      VOX_RETURN_IF_ERROR(ReadInt(obj, "ts", Presence::kOptional, 0, kMaxTimeMs, &ts, where));
      w.BeginObject().Field("role", *role).Field("content", *content);
      w.Key("ts");
      ts ? w.Int(*ts) : w.Null();
      w.EndObject();
    }
    w.EndArray();
  }
  if (!in.body["metadata"].get(value) && !value.is_null()) {
    if (!value.is_object()) return InvalidArgument("metadata must be an object");
    std::string metadata = simdjson::minify(value);
    if (metadata.size() > kMaxMetadataBytes) {
      return InvalidArgument("metadata must be at most 16384 bytes as JSON");
    }
    w.RawField("metadata", metadata);
  }
  w.EndObject();
  return ConversationCommand{NewEvent(in, EventType::kConversationSaved, w.str()),
                             std::string(*session_id)};
}

}  // namespace voxbase
