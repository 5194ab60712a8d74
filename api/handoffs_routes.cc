// Handoffs: POST creates one (and hands the session's conversation to a human), GET is the human
// queue (urgent first, then oldest first), PATCH claims or resolves one. Whether a move is allowed
// is the fold's decision; the answer, sent after the move is applied, says whether this request's
// move is the one that happened — two agents racing to claim get one 200 and one 409.
#include "api/routes.h"
#include "ingest/handoffs.h"
#include "projections/handoffs.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

HttpResponse HandoffAnswer(const ProjectionStore& store, const std::string& app_id,
                           const std::string& id, std::string_view event_id, int status) {
  Result<std::optional<HandoffRow>> row = HandoffsView(store).Get(app_id, id);
  if (!row.ok()) return ErrorResponse(row.status());
  if (!row->has_value()) return ErrorResponse(404, "no handoff " + id);
  const HandoffRow& h = **row;
  if (h.last_event_id != event_id) {
    JsonWriter w;
    w.BeginObject()
        .Field("error", "handoff " + id + " is " + h.status +
                            (h.agent_id.empty() ? "" : " (held by " + h.agent_id + ")"))
        .Field("status", h.status)
        .Field("agentId", h.agent_id)
        .EndObject();
    return JsonResponse(409, w.str());
  }
  JsonWriter w;
  w.BeginObject()
      .Field("handoffId", h.handoff_id)
      .Field("status", h.status)
      .Key("handoff")
      .Raw(h.ToJson())
      .EndObject();
  return JsonResponse(status, w.str());
}

}  // namespace

void AddHandoffRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(router, api, "POST", "/api/handoffs", Access::kSessionWrite,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<HandoffCommand> h = BuildHandoffCreated(in.command);
                  if (!h.ok()) return h.status();
                  return WriteThen(std::move(h->event),
                                   [app_id = in.app->app_id, id = h->handoff_id](const Applied& a) {
                                     return HandoffAnswer(*a.store, app_id, id, a.event_id, 201);
                                   });
                });

  AddWriteRoute(router, api, "PATCH", "/api/handoffs", Access::kOperator,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<HandoffCommand> h = BuildHandoffMoved(in.command);
                  if (!h.ok()) return h.status();
                  Result<std::optional<HandoffRow>> existing =
                      HandoffsView(*api.store).Get(in.app->app_id, h->handoff_id);
                  if (!existing.ok()) return existing.status();
                  if (!existing->has_value()) return NotFound("no handoff " + h->handoff_id);
                  return WriteThen(std::move(h->event),
                                   [app_id = in.app->app_id, id = h->handoff_id](const Applied& a) {
                                     return HandoffAnswer(*a.store, app_id, id, a.event_id, 200);
                                   });
                });

  AddListRoute(router, api, "/api/handoffs", Access::kOperator, "handoffs", {50, 200},
               [&api](const AppContext& app, const HttpRequest& request, size_t limit,
                      std::string_view cursor) -> Result<Page> {
                 std::string_view status = request.Query("status");
                 if (status.empty()) status = "pending";
                 if (!kHandoffStatuses.Contains(status)) {
                   return InvalidArgument("status must be one of " + kHandoffStatuses.List());
                 }
                 return HandoffsView(*api.store).Queue(app.app_id, status, limit, cursor);
               });
}

}  // namespace voxbase
