#include "api/routes.h"

namespace voxbase {

void AddOpsRoutes(Router& router, OpsHooks hooks) {
  router.Add("GET", "/healthz", [](HttpRequest&, Respond respond) {
    respond(JsonResponse(200, R"({"status":"ok"})"));
  });
  router.Add("GET", "/readyz", [ready = hooks.ready](HttpRequest&, Respond respond) {
    Status status = ready();
    if (!status.ok()) return respond(ErrorResponse(503, status.message()));
    respond(JsonResponse(200, R"({"status":"ready"})"));
  });
  router.Add("GET", "/metrics", [metrics = hooks.metrics](HttpRequest&, Respond respond) {
    HttpResponse r = JsonResponse(200, metrics());
    r.content_type = "text/plain; version=0.0.4";
    respond(std::move(r));
  });
}

}  // namespace voxbase
