#include "api/routes.h"
#include "schemas/json_writer.h"

namespace voxbase {

void AddSessionRoutes(Router& router, ApiContext& api) {
  // Server to server: {appSlug, appSecret, ttlMs} → {sessionToken, expiresAt}. The answer waits
  // for the token to be applied, so the browser can use it at once.
  router.Add("POST", "/api/auth/session", [&api](HttpRequest& request, Respond respond) {
    Result<simdjson::dom::object> body = ParseJsonBody(request.body);
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    Result<AppContext> app = api.auth->SecretOnly(*body, request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    Result<SessionGrant> grant =
        BuildSessionCreated({&*app, *body, api.clock->NowMillis(), &api.limits});
    if (!grant.ok()) return respond(ErrorResponse(grant.status()));
    AnswerWhenApplied(
        api, grant->event, std::move(respond),
        [token = grant->token, expires = grant->expires_at](const LogPosition&) {
          JsonWriter w;
          w.BeginObject().Field("sessionToken", token).Field("expiresAt", expires).EndObject();
          return JsonResponse(200, w.str());
        });
  });
}

}  // namespace voxbase
