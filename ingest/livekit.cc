#include "ingest/livekit.h"

#include <jwt.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "ingest/secrets.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxMetadataBytes = 16 * 1024;
constexpr int64_t kWebhookLeewaySeconds = 10;
// LiveKit signs a webhook for 5 minutes; a signature that lives longer, or was made longer ago
// than this, is refused so a captured one cannot be replayed for long.
constexpr int64_t kWebhookMaxValiditySeconds = 600;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Status ReadRoomName(const CommandInput& in, std::optional<std::string_view>* room) {
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "roomName", Presence::kRequired, in.limits->max_name_bytes, room));
  return CheckIdentifier(**room, in.limits->max_name_bytes, "roomName");
}

}  // namespace

Result<Minted> BuildLivekitToken(const CommandInput& in, const ProviderConfig& config,
                                 const RoomCheck& check_room) {
  std::optional<std::string_view> identity, room, name, metadata;
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "identity", Presence::kRequired, in.limits->max_name_bytes, &identity));
  VOX_RETURN_IF_ERROR(CheckIdentifier(*identity, in.limits->max_name_bytes, "identity"));
  VOX_RETURN_IF_ERROR(ReadRoomName(in, &room));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "name", Presence::kOptional, in.limits->max_name_bytes, &name));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "metadata", Presence::kOptional, kMaxMetadataBytes, &metadata));
  std::optional<bool> publish, subscribe, publish_data;
  simdjson::dom::element grants_value;
  if (!in.body["grants"].get(grants_value) && !grants_value.is_null()) {
    simdjson::dom::object grants;
    if (grants_value.get(grants)) return InvalidArgument("grants must be an object");
    VOX_RETURN_IF_ERROR(ReadBool(grants, "canPublish", Presence::kOptional, &publish, "grants"));
    VOX_RETURN_IF_ERROR(
        ReadBool(grants, "canSubscribe", Presence::kOptional, &subscribe, "grants"));
    VOX_RETURN_IF_ERROR(
        ReadBool(grants, "canPublishData", Presence::kOptional, &publish_data, "grants"));
  }
  if (config.livekit_api_key.empty()) return NotConfigured("LIVEKIT_API_KEY");
  if (config.livekit_api_secret.empty()) return NotConfigured("LIVEKIT_API_SECRET");
  VOX_RETURN_IF_ERROR(check_room(*room));

  const int64_t now_s = in.now_ms / 1000;
  const int64_t exp_s = now_s + config.livekit_token_ttl_s;
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return Internal("jwt_new failed");
  JwtPtr jwt(raw);
  JsonWriter video;
  video.BeginObject()
      .Key("video")
      .BeginObject()
      .Field("roomJoin", true)
      .Field("room", *room)
      .Field("canPublish", publish.value_or(true))
      .Field("canSubscribe", subscribe.value_or(true))
      .Field("canPublishData", publish_data.value_or(true))
      .EndObject()
      .EndObject();
  const std::string identity_text(*identity);
  bool ok = jwt_add_grant(jwt.get(), "iss", config.livekit_api_key.c_str()) == 0 &&
            jwt_add_grant(jwt.get(), "sub", identity_text.c_str()) == 0 &&
            jwt_add_grant(jwt.get(), "jti", identity_text.c_str()) == 0 &&
            jwt_add_grant_int(jwt.get(), "nbf", static_cast<long>(now_s)) == 0 &&
            jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(exp_s)) == 0 &&
            jwt_add_grants_json(jwt.get(), video.str().c_str()) == 0;
  if (ok && name) ok = jwt_add_grant(jwt.get(), "name", std::string(*name).c_str()) == 0;
  if (ok && metadata) {
    ok = jwt_add_grant(jwt.get(), "metadata", std::string(*metadata).c_str()) == 0;
  }
  ok = ok && jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                         reinterpret_cast<const unsigned char*>(config.livekit_api_secret.data()),
                         static_cast<int>(config.livekit_api_secret.size())) == 0;
  if (!ok) return Internal("cannot build the LiveKit token");
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) return Internal("cannot sign the LiveKit token");
  std::string token(encoded);
  std::free(encoded);

  Minted minted;
  JsonWriter answer;
  answer.BeginObject()
      .Field("token", token)
      .Field("url", config.livekit_url)
      .Field("identity", *identity)
      .Field("roomName", *room)
      .Field("expiresAt", exp_s * 1000)
      .EndObject();
  minted.answer_json = answer.str();
  minted.event = TokenMintedEvent(in, "livekit", *room, exp_s * 1000);
  return minted;
}

std::string RoomPrefix(std::string_view app_slug) {
  return std::string(app_slug) + kRoomSlugSeparator;
}

std::optional<std::string_view> RoomSlug(std::string_view room_name) {
  const size_t at = room_name.find(kRoomSlugSeparator);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  return room_name.substr(0, at);
}

Result<RoomCommand> BuildRoomCreated(const CommandInput& in, std::string_view app_slug) {
  std::optional<std::string_view> session_id;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, "", &session_id));
  std::optional<bool> random_suffix;
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "randomSuffix", Presence::kOptional, &random_suffix));
  std::string room = RoomPrefix(app_slug) + std::string(*session_id) + kRoomSlugSeparator +
                     std::to_string(in.now_ms / 1000);
  if (random_suffix.value_or(true)) {
    // Keyed by the server's secret: not guessable from the session id, the time or the event id,
    // and the same when a retry rebuilds the command.
    room += kRoomSlugSeparator +
            HexEncode(HmacSha256(in.token_key, "livekit-room:" + std::string(in.event_id)))
                .substr(0, 16);
  }
  JsonWriter w;
  w.BeginObject()
      .Field("roomName", room)
      .Field("sessionId", *session_id)
      .Field("createdAt", in.now_ms)
      .EndObject();
  return RoomCommand{NewEvent(in, EventType::kLivekitRoomCreated, w.str()), room};
}

Result<RoomCommand> BuildRoomEnded(const CommandInput& in) {
  std::optional<std::string_view> room;
  VOX_RETURN_IF_ERROR(ReadRoomName(in, &room));
  JsonWriter w;
  w.BeginObject().Field("roomName", *room).Field("reason", "api").EndObject();
  return RoomCommand{NewEvent(in, EventType::kLivekitRoomEnded, w.str()), std::string(*room)};
}

Status VerifyLivekitWebhook(std::string_view authorization, std::string_view raw_body,
                            const ProviderConfig& config, int64_t now_ms) {
  if (config.livekit_api_key.empty()) return NotConfigured("LIVEKIT_API_KEY");
  if (config.livekit_api_secret.empty()) return NotConfigured("LIVEKIT_API_SECRET");
  if (authorization.empty()) return Unauthenticated("webhook has no Authorization header");
  if (authorization.size() > 8192) return Unauthenticated("webhook signature is malformed");
  const std::string token(authorization);
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(),
                 reinterpret_cast<const unsigned char*>(config.livekit_api_secret.data()),
                 static_cast<int>(config.livekit_api_secret.size())) != 0 ||
      raw == nullptr) {
    return Unauthenticated("webhook signature does not verify");
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) {
    return Unauthenticated("webhook is not signed with HS256");
  }
  const char* issuer = jwt_get_grant(jwt.get(), "iss");
  if (issuer == nullptr || config.livekit_api_key != issuer) {
    return Unauthenticated("webhook was not issued by this server's LiveKit API key");
  }
  const char* claimed = jwt_get_grant(jwt.get(), "sha256");
  if (claimed == nullptr || !ConstantTimeEquals(claimed, Base64(Sha256(raw_body)))) {
    return Unauthenticated("webhook body does not match its signature");
  }
  const int64_t now_s = now_ms / 1000;
  errno = 0;
  long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0) return Unauthenticated("webhook signature has no exp");
  if (now_s > exp) return Unauthenticated("webhook signature has expired");
  if (exp - now_s > kWebhookMaxValiditySeconds) {
    return Unauthenticated("webhook signature is valid for more than " +
                           std::to_string(kWebhookMaxValiditySeconds) + " s");
  }
  errno = 0;
  long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  if (errno == 0 && now_s + kWebhookLeewaySeconds < nbf) {
    return Unauthenticated("webhook signature is not valid yet");
  }
  if (errno == 0 && now_s - nbf > kWebhookMaxValiditySeconds) {
    return Unauthenticated("webhook signature is older than " +
                           std::to_string(kWebhookMaxValiditySeconds) + " s");
  }
  return Status::Ok();
}

Result<WebhookCommand> BuildWebhookReceived(const CommandInput& in) {
  std::optional<std::string_view> kind, id;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "event", Presence::kRequired, 64, &kind));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "id", Presence::kRequired, 128, &id));
  VOX_RETURN_IF_ERROR(CheckIdentifier(*id, 128, "id"));
  int64_t created_at = in.now_ms / 1000;
  simdjson::dom::element created;
  if (!in.body["createdAt"].get(created)) {
    // LiveKit sends seconds, as a number or (protobuf JSON) a string.
    std::string_view text;
    int64_t n = 0;
    if (!created.get(n)) {
      created_at = n;
    } else if (!created.get(text)) {
      created_at = std::atoll(std::string(text).c_str());
    }
  }
  simdjson::dom::object room, participant;
  std::optional<std::string_view> room_name, room_sid, identity, name, metadata, participant_kind;
  if (in.body["room"].get(room)) return InvalidArgument("webhook has no room");
  VOX_RETURN_IF_ERROR(
      ReadString(room, "name", Presence::kRequired, in.limits->max_name_bytes, &room_name, "room"));
  VOX_RETURN_IF_ERROR(CheckIdentifier(*room_name, in.limits->max_name_bytes, "room.name"));
  VOX_RETURN_IF_ERROR(ReadString(room, "sid", Presence::kOptional, 128, &room_sid, "room"));
  const bool has_participant = !in.body["participant"].get(participant);
  if (has_participant) {
    VOX_RETURN_IF_ERROR(ReadString(participant, "identity", Presence::kRequired,
                                   in.limits->max_name_bytes, &identity, "participant"));
    VOX_RETURN_IF_ERROR(ReadString(participant, "name", Presence::kOptional,
                                   in.limits->max_name_bytes, &name, "participant"));
    VOX_RETURN_IF_ERROR(ReadString(participant, "metadata", Presence::kOptional, kMaxMetadataBytes,
                                   &metadata, "participant"));
    std::string_view k;
    if (!participant["kind"].get(k)) participant_kind = k.substr(0, 32);
  }
  JsonWriter w;
  w.BeginObject()
      .Field("id", *id)
      .Field("event", *kind)
      .Field("createdAt", created_at * 1000)
      .Key("room")
      .BeginObject()
      .Field("name", *room_name)
      .Field("sid", room_sid.value_or(""))
      .EndObject()
      .Key("participant");
  if (has_participant) {
    w.BeginObject()
        .Field("identity", *identity)
        .Field("name", name.value_or(""))
        .Field("metadata", metadata.value_or(""))
        .Field("kind", participant_kind.value_or(""))
        .EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
  return WebhookCommand{NewEvent(in, EventType::kLivekitWebhookReceived, w.str()),
                        std::string(*room_name), std::string(*id)};
}

std::vector<std::string> LegacySlugCandidates(std::string_view room_name) {
  std::vector<std::string> out;
  for (size_t at = room_name.rfind('-'); at != std::string_view::npos && at > 0;
       at = room_name.rfind('-', at - 1)) {
    out.emplace_back(room_name.substr(0, at));
  }
  return out;
}

}  // namespace voxbase
