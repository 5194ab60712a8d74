// LiveKit: POST /api/livekit/token, POST/GET/DELETE /api/livekit/rooms, and
// POST /api/livekit/webhook, which LiveKit itself calls, signed with the API secret.
#include "api/routes.h"
#include "ingest/livekit.h"
#include "ingest/secrets.h"
#include "projections/apps.h"
#include "projections/idempotency.h"
#include "projections/livekit.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

HttpResponse RoomAnswer(const ProjectionStore& store, const std::string& app_id,
                        const std::string& room_name, int status) {
  Result<std::optional<RoomRow>> room = LivekitView(store).Room(app_id, room_name);
  if (!room.ok()) return ErrorResponse(room.status());
  if (!room->has_value()) return ErrorResponse(404, "no room named " + room_name);
  Result<std::vector<std::string>> participants =
      LivekitView(store).Participants(app_id, room_name);
  if (!participants.ok()) return ErrorResponse(participants.status());
  JsonWriter w;
  w.BeginObject().Key("room").Raw((*room)->ToJson()).Key("participants").BeginArray();
  for (const std::string& p : *participants) w.Raw(p);
  w.EndArray().EndObject();
  return JsonResponse(status, w.str());
}

// The app a webhook's room belongs to: the one its prefix names, or, for a room named before
// prefixes ("<slug>-<session>-<unix>"), the app with such a slug that made the room. A room no
// app made and no prefix names belongs to none: a slug that merely starts the name is not enough.
Result<std::optional<std::string>> AppForRoom(ApiContext& api, std::string_view room_name) {
  if (std::optional<std::string_view> slug = RoomSlug(room_name)) {
    return AppsView(*api.store).AppIdForSlug(*slug);
  }
  for (const std::string& slug : LegacySlugCandidates(room_name)) {
    Result<std::optional<std::string>> app_id = AppsView(*api.store).AppIdForSlug(slug);
    if (!app_id.ok()) return app_id.status();
    if (!app_id->has_value()) continue;
    Result<std::optional<RoomRow>> room = LivekitView(*api.store).Room(**app_id, room_name);
    if (!room.ok()) return room.status();
    if (room->has_value()) return *app_id;
  }
  return std::optional<std::string>();
}

// A LiveKit token may name only a room of the caller's own app (all apps share one LiveKit key),
// and a user token only a room voxbase made for its own session.
Status CheckOwnRoom(ApiContext& api, const AppContext& app, std::string_view app_slug,
                    std::string_view room) {
  Result<std::optional<RoomRow>> known = LivekitView(*api.store).Room(app.app_id, room);
  if (!known.ok()) return known.status();
  if (app.role == CallerRole::kUser) {
    if (known->has_value() && !app.session_id.empty() && (*known)->session_id == app.session_id) {
      return Status::Ok();
    }
    return Status(StatusCode::kPermissionDenied,
                  "a user token may join only its own session's room: one made by POST "
                  "/api/livekit/rooms with its sessionId");
  }
  if (room.starts_with(RoomPrefix(app_slug))) return Status::Ok();
  if (known->has_value()) return Status::Ok();
  return Status(StatusCode::kPermissionDenied,
                "roomName must be a room of this app: one made by POST /api/livekit/rooms, or a "
                "name that starts with \"" +
                    RoomPrefix(app_slug) + "\"");
}

void HandleWebhook(ApiContext& api, HttpRequest& request, Respond respond) {
  Status verified = VerifyLivekitWebhook(request.Header("authorization"), request.body,
                                         api.providers, api.clock->NowMillis());
  if (!verified.ok()) return respond(ErrorResponse(verified));
  Result<simdjson::dom::object> body = ParseJsonBody(request.body);
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  std::string_view room_name, id;
  if ((*body)["room"]["name"].get(room_name) || (*body)["id"].get(id)) {
    return respond(ErrorResponse(400, "webhook has no id or room.name"));
  }
  Result<std::optional<std::string>> app_id = AppForRoom(api, room_name);
  if (!app_id.ok()) return respond(ErrorResponse(app_id.status()));
  if (!app_id->has_value()) {
    // Answered 200 so LiveKit does not redeliver a room no app here owns.
    return respond(JsonResponse(200, R"({"ok":true,"ignored":"the room belongs to no app here"})"));
  }
  const std::string key = "livekit:" + std::string(id);
  Result<std::optional<IdempotencyRecord>> seen = IdempotencyView(*api.store).Find(**app_id, key);
  if (!seen.ok()) return respond(ErrorResponse(seen.status()));
  if (seen->has_value()) return respond(JsonResponse(200, R"({"ok":true,"duplicate":true})"));

  AppContext app{**app_id, false};
  const std::string event_id = api.ids->NewEventId();
  CommandInput in{&app, *body, api.clock->NowMillis(), &api.limits, event_id, {}};
  Result<WebhookCommand> command = BuildWebhookReceived(in);
  if (!command.ok()) return respond(ErrorResponse(command.status()));
  // Deliveries are deduplicated on LiveKit's event id by the fold's idempotency record.
  command->event.idempotency = IdempotencyTag{**app_id, key, HexEncode(Sha256(request.body))};
  AppendAndAnswer(api, command->event, std::move(respond),
                  [](const Applied&) { return JsonResponse(200, R"({"ok":true})"); });
}

}  // namespace

void AddLivekitRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(
      router, api, "POST", "/api/livekit/token", Access::kAgent,
      MintRoute(api, [&api](const WriteRequest& in, const AppSettings& app) -> Result<Minted> {
        return BuildLivekitToken(in.command, api.providers, [&](std::string_view room) {
          return CheckOwnRoom(api, *in.app, app.slug, room);
        });
      }));

  AddWriteRoute(router, api, "POST", "/api/livekit/rooms", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<std::optional<AppRecord>> app = AppsView(*api.store).Get(in.app->app_id);
                  if (!app.ok()) return app.status();
                  if (!app->has_value()) return NotFound("app not found");
                  Result<RoomCommand> room = BuildRoomCreated(in.command, (*app)->slug);
                  if (!room.ok()) return room.status();
                  return WriteThen(
                      std::move(room->event),
                      [app_id = in.app->app_id, name = room->room_name](const Applied& a) {
                        return RoomAnswer(*a.store, app_id, name, 201);
                      });
                });

  AddWriteRoute(router, api, "DELETE", "/api/livekit/rooms", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<RoomCommand> room = BuildRoomEnded(in.command);
                  if (!room.ok()) return room.status();
                  Result<std::optional<RoomRow>> existing =
                      LivekitView(*api.store).Room(in.app->app_id, room->room_name);
                  if (!existing.ok()) return existing.status();
                  if (!existing->has_value()) return NotFound("no room named " + room->room_name);
                  return WriteThen(
                      std::move(room->event),
                      [app_id = in.app->app_id, name = room->room_name](const Applied& a) {
                        return RoomAnswer(*a.store, app_id, name, 200);
                      });
                });

  AddListRoute(router, api, "/api/livekit/rooms", Access::kOperator, "rooms", {50, 200},
               [&api](const AppContext& app, const HttpRequest& request, size_t limit,
                      std::string_view cursor) -> Result<Page> {
                 std::string_view status = request.Query("status");
                 if (!status.empty() && !kRoomStatuses.Contains(status)) {
                   return InvalidArgument("status must be one of " + kRoomStatuses.List());
                 }
                 return LivekitView(*api.store).ListRooms(app.app_id, status, limit, cursor);
               });

  router.Add("POST", "/api/livekit/webhook", Access::kPublic,
             [&api](HttpRequest& request, Respond respond) {
               HandleWebhook(api, request, std::move(respond));
             });
}

}  // namespace voxbase
