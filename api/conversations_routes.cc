// Conversations: POST saves or updates one by sessionId and answers with it as stored after the
// save; GET ?sessionId= reads one, and without it lists them newest first, by ?status=.
#include "api/routes.h"
#include "ingest/conversations.h"
#include "projections/conversations.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {

void AddConversationRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(
      router, api, "POST", "/api/conversations", Access::kSessionWrite,
      [&api](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<ConversationCommand> command = BuildConversationSaved(in.command);
        if (!command.ok()) return command.status();
        return WriteThen(
            std::move(command->event),
            [app_id = in.app->app_id, session_id = command->session_id](const Applied& applied) {
              Result<std::optional<std::string>> row =
                  ConversationsView(*applied.store).Get(app_id, session_id);
              if (!row.ok()) return ErrorResponse(row.status());
              if (!row->has_value()) {
                return ErrorResponse(500, "saved conversation is missing");
              }
              JsonWriter w;
              w.BeginObject().Field("ok", true).RawField("conversation", **row).EndObject();
              return JsonResponse(200, w.str());
            });
      });

  router.Add("GET", "/api/conversations", Access::kSessionRead,
             [&api](HttpRequest& request, Respond respond) {
               Result<AppContext> app = api.auth->ForQuery(request);
               if (!app.ok()) return respond(ErrorResponse(app.status()));
               ConversationsView view(*api.store);
               if (request.HasQuery("sessionId")) {
                 Result<std::optional<std::string>> row =
                     view.Get(app->app_id, request.Query("sessionId"));
                 if (!row.ok()) return respond(ErrorResponse(row.status()));
                 if (!row->has_value()) {
                   return respond(ErrorResponse(404, "no conversation for that sessionId"));
                 }
                 JsonWriter w;
                 w.BeginObject().RawField("conversation", **row).EndObject();
                 return respond(JsonResponse(200, w.str()));
               }
               AnswerList(api, *app, request, respond, "conversations", {50, 200},
                          [&view](const AppContext& a, const HttpRequest& r, size_t limit,
                                  std::string_view cursor) -> Result<Page> {
                            std::string_view status = r.Query("status");
                            if (!status.empty() && !kConversationStatuses.Contains(status)) {
                              return InvalidArgument("status must be one of " +
                                                     kConversationStatuses.List());
                            }
                            return view.List(a.app_id, status, limit, cursor);
                          });
             });
}

}  // namespace voxbase
