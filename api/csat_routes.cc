// CSAT: POST /api/csat rates a session (a second rating replaces the first); GET reads it back.
#include "api/routes.h"
#include "ingest/csat.h"
#include "projections/csat.h"
#include "schemas/json_writer.h"

namespace voxbase {

void AddCsatRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(
      router, api, "POST", "/api/csat", Access::kSessionWrite,
      [&api](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<CsatCommand> rated = BuildCsatRated(in.command);
        if (!rated.ok()) return rated.status();
        return WriteThen(std::move(rated->event), [app_id = in.app->app_id,
                                                   session = rated->session_id](const Applied& a) {
          Result<std::optional<std::string>> row = CsatView(*a.store).Get(app_id, session);
          if (!row.ok()) return ErrorResponse(row.status());
          if (!row->has_value()) return ErrorResponse(500, "the rating is missing");
          JsonWriter w;
          w.BeginObject().Field("ok", true).RawField("rating", **row).EndObject();
          return JsonResponse(200, w.str());
        });
      });

  router.Add(
      "GET", "/api/csat", Access::kSessionRead, [&api](HttpRequest& request, Respond respond) {
        Result<AppContext> app = api.auth->ForQuery(request);
        if (!app.ok()) return respond(ErrorResponse(app.status()));
        std::string_view session = request.Query("sessionId");
        if (session.empty()) return respond(ErrorResponse(400, "sessionId is required"));
        Result<std::optional<std::string>> row = CsatView(*api.store).Get(app->app_id, session);
        if (!row.ok()) return respond(ErrorResponse(row.status()));
        if (!row->has_value()) return respond(ErrorResponse(404, "no rating for that sessionId"));
        JsonWriter w;
        w.BeginObject().RawField("rating", **row).EndObject();
        respond(JsonResponse(200, w.str()));
      });
}

}  // namespace voxbase
