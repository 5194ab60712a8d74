// Sessions: POST /api/auth/session, server to server, mints a browser token. The answer waits for
// the token to be applied, so the browser can use it at once.
#include "api/routes.h"
#include "ingest/sessions.h"
#include "schemas/json_writer.h"

namespace voxbase {

void AddSessionRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(
      router, api, "POST", "/api/auth/session", Caller::kAppSecret,
      [](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<SessionGrant> grant = BuildSessionCreated(in.command);
        if (!grant.ok()) return grant.status();
        return WriteThen(std::move(grant->event), [token = grant->token,
                                                   expires = grant->expires_at](const Applied&) {
          JsonWriter w;
          w.BeginObject().Field("sessionToken", token).Field("expiresAt", expires).EndObject();
          return JsonResponse(200, w.str());
        });
      });
}

}  // namespace voxbase
