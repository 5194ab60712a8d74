// Apps (admin API): POST /api/admin/apps creates one (seed 001's seedApp); GET
// /api/admin/dead-letters shows the records the processors set aside.
#include "api/routes.h"
#include "ingest/apps.h"
#include "projections/apps.h"
#include "projections/dead_letters.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

HttpResponse SlugTaken(std::string_view slug) {
  return ErrorResponse(409, "an app with slug '" + std::string(slug) + "' already exists");
}

}  // namespace

void AddAppRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(router, api, "POST", "/api/admin/apps", Access::kAdmin,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<Event> event = BuildAppCreated(in.command);
                  if (!event.ok()) return event.status();
                  std::string slug(in.body["slug"].get_string().value_unsafe());
                  if (!in.retry) {
                    Result<std::optional<std::string>> owner =
                        AppsView(*api.store).AppIdForSlug(slug);
                    if (!owner.ok()) return owner.status();
                    if (owner->has_value()) {
                      return Status(StatusCode::kAlreadyExists,
                                    "an app with slug '" + slug + "' already exists");
                    }
                  }
                  // Two creates of one slug can both get here; the fold keeps the first, and the
                  // answer tells each caller whether its own app is the one that landed.
                  std::string app_id = event->app_id;
                  return WriteThen(std::move(*event), [slug, app_id](const Applied& applied) {
                    Result<std::optional<AppRecord>> app = AppsView(*applied.store).Get(app_id);
                    if (!app.ok()) return ErrorResponse(app.status());
                    if (!app->has_value()) return SlugTaken(slug);
                    const AppRecord& a = **app;
                    JsonWriter w;
                    w.BeginObject()
                        .Field("appId", a.app_id)
                        .Field("slug", a.slug)
                        .Field("name", a.name)
                        .Field("modelId", a.model_id)
                        .Field("replyAsAudio", a.reply_as_audio)
                        .Field("systemPrompt", a.system_prompt)
                        .Field("embedder", a.embedder)
                        .Field("createdAt", a.created_at);
                    if (a.gap_threshold) w.Field("gapThreshold", *a.gap_threshold);
                    w.EndObject();
                    return JsonResponse(201, w.str());
                  });
                });

  // Oldest first, paged.
  router.Add("GET", "/api/admin/dead-letters", Access::kAdmin,
             [&api](HttpRequest& request, Respond respond) {
               Status admin = api.auth->CheckAdmin(request);
               if (!admin.ok()) return respond(ErrorResponse(admin));
               AnswerList(api, AppContext{}, request, respond, "deadLetters", {1000, 1000},
                          [&api](const AppContext&, const HttpRequest&, size_t limit,
                                 std::string_view cursor) -> Result<Page> {
                            return DeadLettersView(*api.store).List(limit, cursor);
                          });
             });
}

}  // namespace voxbase
