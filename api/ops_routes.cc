#include "api/routes.h"

namespace voxbase {

void AddOpsRoutes(Router& router, OpsHooks hooks) {
  router.Add("GET", "/healthz", Access::kPublic, [](HttpRequest&, Respond respond) {
    respond(JsonResponse(200, R"({"status":"ok"})"));
  });
  router.Add("GET", "/readyz", Access::kPublic,
             [ready = hooks.ready](HttpRequest&, Respond respond) {
               Status status = ready();
               if (!status.ok()) return respond(ErrorResponse(503, status.message()));
               respond(JsonResponse(200, R"({"status":"ready"})"));
             });
  router.Add("GET", "/metrics", Access::kPublic,
             [metrics = hooks.metrics](HttpRequest&, Respond respond) {
               HttpResponse r = JsonResponse(200, metrics());
               r.content_type = "text/plain; version=0.0.4";
               respond(std::move(r));
             });
}

}  // namespace voxbase
