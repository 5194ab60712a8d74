// /api/events and /api/messages: batches appended as one event, listed back per session in time
// order. The two differ only in their builder, table and field names.
#include "api/routes.h"
#include "ingest/session_log.h"
#include "projections/session_log.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

struct SessionLogRoute {
  std::string_view path;
  std::string_view list_field;  // "events" or "messages"
  Table table;
  Result<BatchEvent> (*build)(const CommandInput&);
};

void AddSessionLogRoutes(Router& router, ApiContext& api, SessionLogRoute route) {
  AddWriteRoute(router, api, "POST", route.path, Access::kSessionWrite,
                [route](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<BatchEvent> batch = route.build(in.command);
                  if (!batch.ok()) return batch.status();
                  return WriteThen(std::move(batch->event),
                                   [items = batch->items](const Applied& applied) {
                                     JsonWriter w;
                                     w.BeginObject()
                                         .Field("ok", true)
                                         .Field("accepted", static_cast<int64_t>(items))
                                         .Field("eventId", applied.event_id)
                                         .Field("offset", applied.position.offset)
                                         .EndObject();
                                     return JsonResponse(200, w.str());
                                   });
                });
  AddListRoute(router, api, route.path, Access::kSessionRead, route.list_field, {1000, 1000},
               [&api, route](const AppContext& app, const HttpRequest& request, size_t limit,
                             std::string_view cursor) -> Result<Page> {
                 std::string_view session_id = request.Query("sessionId");
                 if (session_id.empty()) return InvalidArgument("sessionId is required");
                 return SessionLogView(*api.store, Family(route.table))
                     .List(app.app_id, session_id, limit, cursor);
               });
}

}  // namespace

void AddSessionLogRoutes(Router& router, ApiContext& api) {
  AddSessionLogRoutes(router, api,
                      {"/api/events", "events", Table::kEvents, &BuildTelemetryRecorded});
  AddSessionLogRoutes(router, api,
                      {"/api/messages", "messages", Table::kMessages, &BuildMessagesAdded});
}

}  // namespace voxbase
