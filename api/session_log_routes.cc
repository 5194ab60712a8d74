// /api/events and /api/messages: batches appended as one event, listed back per session in time
// order. A POST is answered once the batch is applied, so the writer's next GET sees it. The two
// differ only in their builder, table and field names.
#include "api/routes.h"
#include "projections/read_models.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kDefaultPage = 1000;
constexpr size_t kMaxPage = 1000;

struct SessionLogRoute {
  std::string_view path;
  std::string_view list_field;  // "events" or "messages"
  Table table;
  Result<BatchEvent> (*build)(const CommandInput&);
};

void AddSessionLogRoutes(Router& router, ApiContext& api, SessionLogRoute route) {
  router.Add("POST", route.path, [&api, route](HttpRequest& request, Respond respond) {
    Result<simdjson::dom::object> body = ParseJsonBody(request.body);
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    Result<AppContext> app = api.auth->ForBody(*body, request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    Result<BatchEvent> batch = route.build({&*app, *body, api.clock->NowMillis(), &api.limits});
    if (!batch.ok()) return respond(ErrorResponse(batch.status()));
    AnswerWhenApplied(api, batch->event, std::move(respond),
                      [items = batch->items, id = batch->event.id](const LogPosition& at) {
                        JsonWriter w;
                        w.BeginObject()
                            .Field("ok", true)
                            .Field("accepted", static_cast<int64_t>(items))
                            .Field("eventId", id)
                            .Field("offset", at.offset)
                            .EndObject();
                        return JsonResponse(200, w.str());
                      });
  });

  router.Add("GET", route.path, [&api, route](HttpRequest& request, Respond respond) {
    Result<AppContext> app = api.auth->ForQuery(request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    std::string_view session_id = request.Query("sessionId");
    if (session_id.empty()) return respond(ErrorResponse(400, "sessionId is required"));
    Result<size_t> limit = PageLimit(request, kDefaultPage, kMaxPage);
    if (!limit.ok()) return respond(ErrorResponse(limit.status()));
    Result<Page> page = SessionLogView(*api.store, Family(route.table))
                            .List(app->app_id, session_id, *limit, request.Query("cursor"));
    if (!page.ok()) return respond(ErrorResponse(page.status()));
    JsonWriter w;
    w.BeginObject().Key(route.list_field).BeginArray();
    for (const std::string& row : page->rows) w.Raw(row);
    w.EndArray().Key("nextCursor");
    page->next_cursor.empty() ? w.Null() : w.String(page->next_cursor);
    w.EndObject();
    respond(JsonResponse(200, w.str()));
  });
}

}  // namespace

void AddTelemetryRoutes(Router& router, ApiContext& api) {
  AddSessionLogRoutes(router, api,
                      {"/api/events", "events", Table::kEvents, &BuildTelemetryRecorded});
}

void AddMessageRoutes(Router& router, ApiContext& api) {
  AddSessionLogRoutes(router, api,
                      {"/api/messages", "messages", Table::kMessages, &BuildMessagesAdded});
}

}  // namespace voxbase
