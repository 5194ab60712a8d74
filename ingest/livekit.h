// LiveKit: access tokens (HS256 JWTs signed with LIVEKIT_API_SECRET), rooms created and ended
// through the API, and the webhooks LiveKit sends about rooms and participants.
//
// A webhook is verified on its raw bytes before anything parses it: the Authorization header is a
// JWT (no "Bearer") signed HS256 with the API secret, issued by the API key, whose sha256 claim
// is the base64 SHA-256 of the body, and whose exp and nbf hold at the server's clock. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ingest/command.h"
#include "ingest/providers.h"

namespace voxbase {

// Whether the caller's app may join `room`: OK, or PermissionDenied saying why not.
using RoomCheck = std::function<Status(std::string_view room)>;

// POST /api/livekit/token {identity, roomName, name, metadata, grants}: the body is checked, then
// the configuration, then `check_room`.
Result<Minted> BuildLivekitToken(const CommandInput& in, const ProviderConfig& config,
                                 const RoomCheck& check_room);

struct RoomCommand {
  Event event;
  std::string room_name;
};

// Room names start with the app's slug and '.', which no slug contains (a-z, 0-9, '-', '_'), so
// a name says which app it belongs to however slugs prefix one another ("app" and "app-b"). A
// LiveKit token names a room of the caller's app only: one in its livekitRooms, or one whose name
// starts with its own prefix. A webhook's room goes to the app its prefix names.
inline constexpr char kRoomSlugSeparator = '.';
std::string RoomPrefix(std::string_view app_slug);
// The slug a room name of this form starts with; nullopt for a name without the separator.
std::optional<std::string_view> RoomSlug(std::string_view room_name);

// POST /api/livekit/rooms {sessionId, randomSuffix}: room
// "<appSlug>.<sessionId>.<unix seconds>.<16 hex>", waiting. The suffix (HMAC of the event id under
// the server's token key; left out with randomSuffix: false) keeps a live room from being guessed.
Result<RoomCommand> BuildRoomCreated(const CommandInput& in, std::string_view app_slug);
// DELETE /api/livekit/rooms {roomName}.
Result<RoomCommand> BuildRoomEnded(const CommandInput& in);

// OK when `authorization` signs `raw_body` as LiveKit does; Unauthenticated otherwise.
Status VerifyLivekitWebhook(std::string_view authorization, std::string_view raw_body,
                            const ProviderConfig& config, int64_t now_ms);

struct WebhookCommand {
  Event event;
  std::string room_name;
  std::string webhook_id;
};
// POST /api/livekit/webhook, after verification: the parts of the event voxbase keeps.
Result<WebhookCommand> BuildWebhookReceived(const CommandInput& in);

// Rooms made before 2026-12-04 are named "<slug>-<session>-<unix>": the slugs such a name may
// start with, longest first. Such a room belongs to the one of them whose livekitRooms holds it.
std::vector<std::string> LegacySlugCandidates(std::string_view room_name);

}  // namespace voxbase
