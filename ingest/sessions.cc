#include "ingest/sessions.h"

#include "ingest/secrets.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {

Result<SessionGrant> BuildSessionCreated(const CommandInput& in) {
  std::optional<int64_t> ttl;
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "ttlMs", Presence::kOptional, 1000, in.limits->max_session_ttl_ms, &ttl));
  if (in.token_key.empty()) return Internal("no session token key configured");
  SessionGrant grant;
  grant.token = DeriveSessionToken(in.app->app_id, in.token_key, in.event_id);
  grant.expires_at = in.now_ms + ttl.value_or(in.limits->default_session_ttl_ms);
  JsonWriter w;
  w.BeginObject()
      .Field("tokenHash", HexEncode(Sha256(grant.token)))
      .Field("expiresAt", grant.expires_at)
      .EndObject();
  grant.event = NewEvent(in, EventType::kSessionCreated, w.str());
  return grant;
}

}  // namespace voxbase
