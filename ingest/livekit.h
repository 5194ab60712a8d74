// LiveKit: access tokens (HS256 JWTs signed with LIVEKIT_API_SECRET), rooms created and ended
// through the API, and the webhooks LiveKit sends about rooms and participants.
//
// A webhook is verified on its raw bytes before anything parses it: the Authorization header is a
// JWT (no "Bearer") signed HS256 with the API secret, issued by the API key, whose sha256 claim
// is the base64 SHA-256 of the body, and whose exp and nbf hold at the server's clock. Thread-safe.
#pragma once

#include <string>

#include "ingest/command.h"
#include "ingest/providers.h"

namespace voxbase {

// POST /api/livekit/token {identity, roomName, name, metadata, grants}.
Result<Minted> BuildLivekitToken(const CommandInput& in, const ProviderConfig& config);

struct RoomCommand {
  Event event;
  std::string room_name;
};

// POST /api/livekit/rooms {sessionId}: room "<appSlug>-<sessionId>-<unix seconds>", waiting.
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

// The slug candidates a room name "<slug>-<session>-<unix>" may start with, longest first.
std::vector<std::string> SlugCandidates(std::string_view room_name);

}  // namespace voxbase
