#include "api/routes.h"
#include "projections/read_models.h"
#include "schemas/json_writer.h"

namespace voxbase {

void AddAdminRoutes(Router& router, ApiContext& api) {
  // Seed 001's seedApp: {slug, name, secret, modelId, replyAsAudio, systemPrompt}.
  router.Add("POST", "/api/admin/apps", [&api](HttpRequest& request, Respond respond) {
    Status admin = api.auth->CheckAdmin(request);
    if (!admin.ok()) return respond(ErrorResponse(admin));
    Result<simdjson::dom::object> body = ParseJsonBody(request.body);
    if (!body.ok()) return respond(ErrorResponse(body.status()));
    Result<Event> event = BuildAppCreated({nullptr, *body, api.clock->NowMillis(), &api.limits});
    if (!event.ok()) return respond(ErrorResponse(event.status()));
    std::string_view slug_view;
    if ((*body)["slug"].get(slug_view) != simdjson::SUCCESS) {
      return respond(ErrorResponse(400, "slug is required"));
    }
    std::string slug(slug_view);
    Result<std::optional<std::string>> owner = AppsView(*api.store).AppIdForSlug(slug);
    if (!owner.ok()) return respond(ErrorResponse(owner.status()));
    if (owner->has_value()) {
      return respond(ErrorResponse(409, "an app with slug '" + slug + "' already exists"));
    }
    // Two concurrent creates of one slug both get here; the processor keeps the first, and the
    // answer below tells each caller whether its own app is the one that landed.
    AnswerWhenApplied(
        api, *event, std::move(respond), [&api, slug, app_id = event->app_id](const LogPosition&) {
          Result<std::optional<AppRecord>> app = AppsView(*api.store).Get(app_id);
          if (!app.ok()) return ErrorResponse(app.status());
          if (!app->has_value()) {
            return ErrorResponse(409, "an app with slug '" + slug + "' already exists");
          }
          const AppRecord& a = **app;
          JsonWriter w;
          w.BeginObject()
              .Field("appId", a.app_id)
              .Field("slug", a.slug)
              .Field("name", a.name)
              .Field("modelId", a.model_id)
              .Field("replyAsAudio", a.reply_as_audio)
              .Field("systemPrompt", a.system_prompt)
              .Field("createdAt", a.created_at)
              .EndObject();
          return JsonResponse(201, w.str());
        });
  });
}

// Records the processor could not apply (poison records), oldest first, at most 1000.
void AddDeadLetterRoutes(Router& router, ApiContext& api) {
  router.Add("GET", "/api/admin/dead-letters", [&api](HttpRequest& request, Respond respond) {
    Status admin = api.auth->CheckAdmin(request);
    if (!admin.ok()) return respond(ErrorResponse(admin));
    constexpr size_t kMaxRows = 1000;
    Result<std::vector<std::string>> rows = DeadLettersView(*api.store).List(kMaxRows);
    if (!rows.ok()) return respond(ErrorResponse(rows.status()));
    JsonWriter w;
    w.BeginObject().Key("deadLetters").BeginArray();
    for (const std::string& row : *rows) w.Raw(row);
    w.EndArray().EndObject();
    respond(JsonResponse(200, w.str()));
  });
}

}  // namespace voxbase
