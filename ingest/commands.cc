#include "ingest/commands.h"

#include <array>
#include <functional>
#include <optional>

#include "ingest/fields.h"
#include "ingest/secrets.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

// Latest accepted client timestamp: year 3000, so times stay far from overflow in keys.
constexpr int64_t kMaxTimeMs = 32503680000000;
constexpr size_t kSaltBytes = 16;
constexpr size_t kMinSecretBytes = 16;
constexpr size_t kMaxSecretBytes = 256;
constexpr size_t kMaxSlugBytes = 64;
constexpr size_t kMaxMetadataBytes = 16 * 1024;

constexpr std::array<std::string_view, 4> kStatuses = {"active", "handed_off", "resolved",
                                                       "abandoned"};
constexpr std::array<std::string_view, 5> kRoles = {"user", "agent", "assistant", "system", "tool"};

template <size_t N>
bool OneOf(std::string_view v, const std::array<std::string_view, N>& allowed) {
  for (auto a : allowed) {
    if (a == v) return true;
  }
  return false;
}

template <size_t N>
std::string Choices(const std::array<std::string_view, N>& allowed) {
  std::string out;
  for (auto a : allowed) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

Event NewEvent(EventType type, std::string app_id, int64_t now, std::string payload) {
  return Event{NewId("evt_"), type, std::move(app_id), now, std::move(payload)};
}

Status CheckSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > kMaxSlugBytes) {
    return InvalidArgument("slug must be 1 to 64 characters");
  }
  for (char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return InvalidArgument("slug may contain only a-z, 0-9, '-' and '_'");
    }
  }
  return Status::Ok();
}

void OptionalStringField(JsonWriter& w, std::string_view key,
                         const std::optional<std::string_view>& v) {
  w.Key(key);
  v ? w.String(*v) : w.Null();
}

Status ReadItems(const CommandInput& in, std::string_view field, simdjson::dom::array* items,
                 size_t* count) {
  simdjson::dom::element value;
  if (in.body[field].get(value)) return InvalidArgument(std::string(field) + " is required");
  if (value.get(*items)) return InvalidArgument(std::string(field) + " must be an array");
  *count = items->size();
  if (*count == 0) return InvalidArgument(std::string(field) + " must not be empty");
  if (*count > in.limits->max_batch_items) {
    return InvalidArgument(std::string(field) + " holds " + std::to_string(*count) +
                           " items; the limit is " + std::to_string(in.limits->max_batch_items));
  }
  return Status::Ok();
}

Status ReadSessionId(simdjson::dom::object obj, const IngestLimits& limits,
                     const std::string& where, std::optional<std::string_view>* out) {
  VOX_RETURN_IF_ERROR(
      ReadString(obj, "sessionId", Presence::kRequired, limits.max_identifier_bytes, out, where));
  return CheckIdentifier(**out, limits.max_identifier_bytes, FieldName(where, "sessionId"));
}

Status ReadRole(simdjson::dom::object obj, const std::string& where,
                std::optional<std::string_view>* out) {
  VOX_RETURN_IF_ERROR(ReadString(obj, "role", Presence::kRequired, 32, out, where));
  if (!OneOf(**out, kRoles)) {
    return InvalidArgument(FieldName(where, "role") + " must be one of " + Choices(kRoles));
  }
  return Status::Ok();
}

// A batch request (`field` holds the items): each item is checked and written by `write_item`,
// which gets the item, its field path ("events[3]") and its id suffix ("<event>.<index>"). Any
// bad item refuses the whole batch.
using WriteItem = std::function<Status(simdjson::dom::object item, const std::string& where,
                                       const std::string& item_id, JsonWriter& w)>;

Result<BatchEvent> BuildBatch(const CommandInput& in, std::string_view field, EventType type,
                              const WriteItem& write_item) {
  simdjson::dom::array items;
  size_t count = 0;
  VOX_RETURN_IF_ERROR(ReadItems(in, field, &items, &count));
  const std::string event_id = NewId("evt_");
  const std::string id_prefix = event_id.substr(4) + ".";
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
  return BatchEvent{Event{event_id, type, in.app->app_id, in.now_ms, w.str()}, count};
}

}  // namespace

Result<Event> BuildAppCreated(const CommandInput& in) {
  std::optional<std::string_view> slug, name, secret, model_id, prompt;
  std::optional<bool> audio;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "slug", Presence::kRequired, kMaxSlugBytes, &slug));
  VOX_RETURN_IF_ERROR(CheckSlug(*slug));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "name", Presence::kRequired, in.limits->max_name_bytes, &name));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "secret", Presence::kRequired, kMaxSecretBytes, &secret));
  if (secret->size() < kMinSecretBytes) {
    return InvalidArgument("secret must be at least 16 characters");
  }
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "modelId", Presence::kOptional, in.limits->max_name_bytes, &model_id));
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "replyAsAudio", Presence::kOptional, &audio));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "systemPrompt", Presence::kOptional,
                                 in.limits->max_prompt_bytes, &prompt));

  std::string app_id = NewId("app_");
  std::string salt = RandomBytes(kSaltBytes);
  JsonWriter w;
  w.BeginObject()
      .Field("appId", app_id)
      .Field("slug", *slug)
      .Field("name", *name)
      .Field("secretSalt", HexEncode(salt))
      .Field("secretHash", HexEncode(SaltedSecretHash(salt, *secret)))
      .Field("modelId", model_id.value_or(""))
      .Field("replyAsAudio", audio.value_or(false))
      .Field("systemPrompt", prompt.value_or(""))
      .Field("createdAt", in.now_ms)
      .EndObject();
  return NewEvent(EventType::kAppCreated, std::move(app_id), in.now_ms, w.str());
}

Result<SessionGrant> BuildSessionCreated(const CommandInput& in) {
  std::optional<int64_t> ttl;
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "ttlMs", Presence::kOptional, 1000, in.limits->max_session_ttl_ms, &ttl));
  SessionGrant grant;
  grant.token = NewSessionToken(in.app->app_id);
  grant.expires_at = in.now_ms + ttl.value_or(in.limits->default_session_ttl_ms);
  JsonWriter w;
  w.BeginObject()
      .Field("tokenHash", HexEncode(Sha256(grant.token)))
      .Field("expiresAt", grant.expires_at)
      .EndObject();
  grant.event = NewEvent(EventType::kSessionCreated, in.app->app_id, in.now_ms, w.str());
  return grant;
}

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
          data = simdjson::minify(data_value);
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
        VOX_RETURN_IF_ERROR(ReadRole(obj, where, &role));
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

Result<ConversationCommand> BuildConversationSaved(const CommandInput& in) {
  const IngestLimits& limits = *in.limits;
  std::optional<std::string_view> session_id, status, channel, resolution;
  std::optional<int64_t> started_at, ended_at;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, limits, "", &session_id));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "status", Presence::kOptional, 32, &status));
  if (status && !OneOf(*status, kStatuses)) {
    return InvalidArgument("status must be one of " + Choices(kStatuses));
  }
  VOX_RETURN_IF_ERROR(ReadString(in.body, "channel", Presence::kOptional, 64, &channel));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "resolution", Presence::kOptional,
                                 limits.max_content_bytes, &resolution));
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
      VOX_RETURN_IF_ERROR(ReadRole(obj, where, &role));
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
  return ConversationCommand{
      NewEvent(EventType::kConversationSaved, in.app->app_id, in.now_ms, w.str()),
      std::string(*session_id)};
}

}  // namespace voxbase
