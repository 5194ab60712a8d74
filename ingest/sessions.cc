#include "ingest/sessions.h"

#include "ingest/fields.h"
#include "ingest/secrets.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {

Result<SessionGrant> BuildSessionCreated(const CommandInput& in) {
  std::optional<int64_t> ttl;
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "ttlMs", Presence::kOptional, 1000, in.limits->max_session_ttl_ms, &ttl));
  std::optional<std::string_view> role, session_id;
  VOX_RETURN_IF_ERROR(ReadWord(in.body, "role", Presence::kOptional, kTokenRoles, &role));
  SessionGrant grant;
  grant.role = std::string(role.value_or("user"));
  if (grant.role == "operator") {
    if (in.body["sessionId"].error() != simdjson::NO_SUCH_FIELD) {
      return InvalidArgument("an operator token is bound to no session: leave sessionId out");
    }
  } else {
    if (in.body["sessionId"].error() != simdjson::NO_SUCH_FIELD) {
      VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, {}, &session_id));
    }
    grant.session_id =
        session_id ? std::string(*session_id) : "ses_" + std::string(EventIdSuffix(in.event_id));
  }
  if (in.token_key.empty()) return Internal("no session token key configured");
  grant.token = DeriveSessionToken(in.app->app_id, in.token_key, in.event_id);
  grant.expires_at = in.now_ms + ttl.value_or(in.limits->default_session_ttl_ms);
  JsonWriter w;
  w.BeginObject()
      .Field("tokenHash", HexEncode(Sha256(grant.token)))
      .Field("expiresAt", grant.expires_at)
      .Field("role", grant.role);
  if (!grant.session_id.empty()) w.Field("sessionId", grant.session_id);
  w.EndObject();
  grant.event = NewEvent(in, EventType::kSessionCreated, w.str());
  return grant;
}

Event BuildSessionRevoked(const CommandInput& in, std::string_view token_hash) {
  JsonWriter w;
  w.BeginObject().Field("tokenHash", HexEncode(token_hash)).EndObject();
  return NewEvent(in, EventType::kSessionRevoked, w.str());
}

Event BuildSessionsRevokedAll(const CommandInput& in) {
  return NewEvent(in, EventType::kSessionsRevokedAll, "{}");
}

}  // namespace voxbase
