#include "api/routes.h"
#include "projections/read_models.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {
constexpr size_t kDefaultPage = 50;
constexpr size_t kMaxPage = 200;
}  // namespace

void AddConversationRoutes(Router& router, ApiContext& api) {
  // Save or update by sessionId; answers with the conversation as stored after this save.
  router.Add("POST", "/api/conversations", [&api](HttpRequest& request, Respond respond) {
    Result<simdjson::dom::object> body = ParseJsonBody(request.body);
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    Result<AppContext> app = api.auth->ForBody(*body, request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    Result<ConversationCommand> command =
        BuildConversationSaved({&*app, *body, api.clock->NowMillis(), &api.limits});
    if (!command.ok()) return respond(ErrorResponse(command.status()));
    AnswerWhenApplied(
        api, command->event, std::move(respond),
        [&api, app_id = app->app_id, session_id = command->session_id](const LogPosition&) {
          Result<std::optional<std::string>> row =
              ConversationsView(*api.store).Get(app_id, session_id);
          if (!row.ok()) return ErrorResponse(row.status());
          if (!row->has_value()) return ErrorResponse(500, "saved conversation is missing");
          JsonWriter w;
          w.BeginObject().Field("ok", true).RawField("conversation", **row).EndObject();
          return JsonResponse(200, w.str());
        });
  });

  // ?sessionId= for one conversation; otherwise a page, newest first, optionally by ?status=.
  router.Add("GET", "/api/conversations", [&api](HttpRequest& request, Respond respond) {
    Result<AppContext> app = api.auth->ForQuery(request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    ConversationsView view(*api.store);
    if (request.HasQuery("sessionId")) {
      Result<std::optional<std::string>> row = view.Get(app->app_id, request.Query("sessionId"));
      if (!row.ok()) return respond(ErrorResponse(row.status()));
      if (!row->has_value())
        return respond(ErrorResponse(404, "no conversation for that sessionId"));
      JsonWriter w;
      w.BeginObject().RawField("conversation", **row).EndObject();
      return respond(JsonResponse(200, w.str()));
    }
    std::string_view status = request.Query("status");
    if (!status.empty() && status != "active" && status != "handed_off" && status != "resolved" &&
        status != "abandoned") {
      return respond(
          ErrorResponse(400, "status must be one of active, handed_off, resolved, abandoned"));
    }
    Result<size_t> limit = PageLimit(request, kDefaultPage, kMaxPage);
    if (!limit.ok()) return respond(ErrorResponse(limit.status()));
    Result<Page> page = view.List(app->app_id, status, *limit, request.Query("cursor"));
    if (!page.ok()) return respond(ErrorResponse(page.status()));
    JsonWriter w;
    w.BeginObject().Key("conversations").BeginArray();
    for (const std::string& row : page->rows) w.Raw(row);
    w.EndArray().Key("nextCursor");
    page->next_cursor.empty() ? w.Null() : w.String(page->next_cursor);
    w.EndObject();
    respond(JsonResponse(200, w.str()));
  });
}

}  // namespace voxbase
