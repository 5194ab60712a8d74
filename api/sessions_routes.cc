// Sessions: POST /api/auth/session, server to server, mints a browser token (a user token bound to
// one session, or an operator token); the answer waits for the token to be applied, so the browser
// can use it at once. DELETE /api/auth/session ends one token (the token itself, or the secret
// with any token of the app); POST /api/auth/session/revoke-all (secret) ends every token the app
// minted before it. Revocations are events, so every node applies them.
#include "api/routes.h"
#include "ingest/secrets.h"
#include "ingest/sessions.h"
#include "projections/sessions.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

// The SHA-256 of the token a DELETE ends: a token caller's own (a body's sessionToken is the
// credential itself), or the one the secret names.
Result<std::string> TokenToRevoke(const WriteRequest& in) {
  if (in.app->via_session_token) return in.app->token_hash;
  std::string_view named;
  if (in.body["sessionToken"].get(named) || named.empty()) {
    return InvalidArgument("sessionToken is required");
  }
  std::string app_id;
  if (!SessionTokenAppId(named, &app_id) || app_id != in.app->app_id) {
    return NotFound("no session token of this app");
  }
  return Sha256(named);
}

}  // namespace

void AddSessionRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(router, api, "POST", "/api/auth/session", Access::kSecret,
                [](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<SessionGrant> grant = BuildSessionCreated(in.command);
                  if (!grant.ok()) return grant.status();
                  JsonWriter w;
                  w.BeginObject().Field("sessionToken", grant->token);
                  if (!grant->session_id.empty()) w.Field("sessionId", grant->session_id);
                  w.Field("role", grant->role).Field("expiresAt", grant->expires_at).EndObject();
                  return WriteThen(std::move(grant->event), [answer = w.str()](const Applied&) {
                    return JsonResponse(200, answer);
                  });
                });

  AddWriteRoute(router, api, "DELETE", "/api/auth/session", Access::kAgent,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<std::string> hash = TokenToRevoke(in);
                  if (!hash.ok()) return hash.status();
                  if (!in.retry) {
                    Result<std::optional<SessionRecord>> known =
                        SessionsView(*api.store).Find(in.app->app_id, *hash);
                    if (!known.ok()) return known.status();
                    if (!known->has_value()) return NotFound("no session token of this app");
                  }
                  return WriteThen(BuildSessionRevoked(in.command, *hash), [](const Applied&) {
                    return JsonResponse(200, R"({"ok":true,"revoked":true})");
                  });
                });

  AddWriteRoute(
      router, api, "POST", "/api/auth/session/revoke-all", Access::kSecret,
      [](const WriteRequest& in) -> Result<PreparedWrite> {
        JsonWriter w;
        w.BeginObject().Field("ok", true).Field("revokedBefore", in.command.now_ms).EndObject();
        return WriteThen(BuildSessionsRevokedAll(in.command),
                         [answer = w.str()](const Applied&) { return JsonResponse(200, answer); });
      });
}

}  // namespace voxbase
