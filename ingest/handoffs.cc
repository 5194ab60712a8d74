#include "ingest/handoffs.h"

#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {
constexpr size_t kMaxReasonBytes = 1024;
constexpr size_t kMaxSummaryBytes = 16 * 1024;
constexpr size_t kMaxTranscriptBytes = 256 * 1024;
}  // namespace

std::string HandoffIdForEvent(std::string_view event_id) {
  return "ho_" + std::string(EventIdSuffix(event_id));
}

Result<HandoffCommand> BuildHandoffCreated(const CommandInput& in) {
  std::optional<std::string_view> session_id, reason, priority, summary;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, "", &session_id));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "reason", Presence::kOptional, kMaxReasonBytes, &reason));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "priority", Presence::kOptional, kHandoffPriorities, &priority));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "aiSummary", Presence::kOptional, kMaxSummaryBytes, &summary));
  std::string transcript = "[]";
  simdjson::dom::element value;
  if (!in.body["transcript"].get(value) && !value.is_null()) {
    if (!value.is_array() && !value.is_string()) {
      return InvalidArgument("transcript must be an array of messages or a string");
    }
    transcript = simdjson::minify(value);
    if (transcript.size() > kMaxTranscriptBytes) {
      return InvalidArgument("transcript must be at most 262144 bytes as JSON");
    }
  }
  const std::string id = HandoffIdForEvent(in.event_id);
  JsonWriter w;
  w.BeginObject()
      .Field("handoffId", id)
      .Field("sessionId", *session_id)
      .Field("reason", reason.value_or(""))
      .Field("priority", priority.value_or("normal"))
      .RawField("transcript", transcript)
      .Field("aiSummary", summary.value_or(""))
      .EndObject();
  return HandoffCommand{NewEvent(in, EventType::kHandoffCreated, w.str()), id};
}

Result<HandoffCommand> BuildHandoffMoved(const CommandInput& in) {
  std::optional<std::string_view> id, action, agent, notes, resolution;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "handoffId", Presence::kRequired, 64, &id));
  VOX_RETURN_IF_ERROR(ReadWord(in.body, "action", Presence::kRequired, kHandoffActions, &action));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "agentId", Presence::kOptional, 256, &agent));
  if (*action == "claim" && (!agent || agent->empty())) {
    return InvalidArgument("agentId is required to claim a handoff");
  }
  VOX_RETURN_IF_ERROR(ReadString(in.body, "notes", Presence::kOptional, kMaxSummaryBytes, &notes));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "resolution", Presence::kOptional, kMaxSummaryBytes, &resolution));
  JsonWriter w;
  w.BeginObject()
      .Field("handoffId", *id)
      .Field("action", *action)
      .Field("agentId", agent.value_or(""))
      .Field("notes", notes.value_or(""))
      .Field("resolution", resolution.value_or(""))
      .EndObject();
  return HandoffCommand{NewEvent(in, EventType::kHandoffMoved, w.str()), std::string(*id)};
}

}  // namespace voxbase
