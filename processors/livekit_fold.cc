// LiveKit rooms and participants: rooms created and ended through the API, and LiveKit's webhooks
// moving them waiting → active → ended and participants in and out. (A room that ends resolves its
// session's conversation: conversations_fold.cc follows these rows.) Webhook deliveries are
// deduplicated on their id by the idempotency record their event carries (TablesProcessor).
#include "processors/fold.h"
#include "projections/livekit.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

Result<std::optional<RoomRow>> LoadRoom(const FoldContext& c, std::string_view room_name) {
  std::string stored;
  Result<bool> found =
      c.batch.Get(Family(Table::kLivekitRooms), RoomKey(c.event.app_id, room_name), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<RoomRow>();
  Result<RoomRow> row = RoomRow::Decode(c.row_parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<RoomRow>(std::move(*row));
}

void SaveRoom(const FoldContext& c, const RoomRow& room) {
  c.batch.Put(Family(Table::kLivekitRooms), RoomKey(c.event.app_id, room.room_name), room.Encode());
}

Status EndRoom(const FoldContext& c, RoomRow room, int64_t at) {
  if (room.status == "ended") return Status::Ok();
  room.status = "ended";
  room.ended_at = at;
  SaveRoom(c, room);
  return Status::Ok();
}

Status FoldRoomCreated(const FoldContext& c) {
  std::string_view room_name, session_id;
  if (c.event.payload["roomName"].get(room_name) || c.event.payload["sessionId"].get(session_id)) {
    return BadPayload(c.event, "no roomName or sessionId");
  }
  Result<std::optional<RoomRow>> existing = LoadRoom(c, room_name);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return Status::Ok();  // the same name in the same second
  RoomRow room;
  room.room_name = std::string(room_name);
  room.session_id = std::string(session_id);
  room.created_at = c.event.ts_ms;
  SaveRoom(c, room);
  return Status::Ok();
}

Status FoldRoomEnded(const FoldContext& c) {
  std::string_view room_name;
  if (c.event.payload["roomName"].get(room_name)) return BadPayload(c.event, "no roomName");
  Result<std::optional<RoomRow>> room = LoadRoom(c, room_name);
  if (!room.ok()) return room.status();
  if (!room->has_value()) return Status::Ok();
  return EndRoom(c, **room, c.event.ts_ms);
}

std::string ParticipantKind(std::string_view identity, std::string_view metadata,
                            std::string_view livekit_kind) {
  if (livekit_kind == "AGENT" || livekit_kind == "agent" || identity.starts_with("agent")) {
    return "agent";
  }
  if (metadata.find("\"agent\"") != std::string_view::npos) return "agent";
  if (identity.starts_with("observer") || metadata.find("\"observer\"") != std::string_view::npos) {
    return "observer";
  }
  return "user";
}

Status FoldWebhook(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view kind, room_name, room_sid;
  int64_t at = 0;
  if (p["event"].get(kind) || p["room"]["name"].get(room_name) || p["createdAt"].get(at)) {
    return BadPayload(c.event, "no event, room.name or createdAt");
  }
  if (p["room"]["sid"].get(room_sid)) room_sid = {};
  Result<std::optional<RoomRow>> loaded = LoadRoom(c, room_name);
  if (!loaded.ok()) return loaded.status();
  RoomRow room;
  if (loaded->has_value()) {
    room = std::move(**loaded);
  } else {
    room.room_name = std::string(room_name);  // a room made outside voxbase
    room.created_at = at;
  }
  if (!room_sid.empty()) room.room_sid = std::string(room_sid);

  if (kind == "room_finished") return EndRoom(c, room, at);
  if (room.status == "ended") return Status::Ok();  // late deliveries do not reopen a room
  if (kind == "room_started") {
    room.status = "active";
    if (!room.started_at) room.started_at = at;
    SaveRoom(c, room);
    return Status::Ok();
  }
  const bool joined = kind == "participant_joined";
  const bool left = kind == "participant_left" || kind == "participant_connection_aborted";
  if (!joined && !left) {
    SaveRoom(c, room);  // other events are on the log; the room is at least known
    return Status::Ok();
  }
  simdjson::dom::object who;
  std::string_view identity, name, metadata, livekit_kind;
  if (p["participant"].get(who) || who["identity"].get(identity)) {
    return BadPayload(c.event, "a participant event without a participant");
  }
  if (who["name"].get(name)) name = {};
  if (who["metadata"].get(metadata)) metadata = {};
  if (who["kind"].get(livekit_kind)) livekit_kind = {};
  const std::string key = ParticipantKey(c.event.app_id, room_name, identity);
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kLivekitParticipants), key, &stored);
  if (!found.ok()) return found.status();
  ParticipantRow participant;
  if (*found) {
    Result<ParticipantRow> decoded = ParticipantRow::Decode(c.row_parser, stored);
    if (!decoded.ok()) return decoded.status();
    participant = std::move(*decoded);
  } else {
    participant.identity = std::string(identity);
    participant.joined_at = at;
  }
  if (!name.empty()) participant.name = std::string(name);
  participant.kind = ParticipantKind(identity, metadata, livekit_kind);
  if (joined) {
    participant.status = "joined";
    participant.left_at.reset();
    if (room.status == "waiting") {
      room.status = "active";
      if (!room.started_at) room.started_at = at;
    }
  } else {
    participant.status = kind == "participant_left" ? "left" : "aborted";
    participant.left_at = at;
  }
  c.batch.Put(Family(Table::kLivekitParticipants), key, participant.Encode());
  SaveRoom(c, room);
  return Status::Ok();
}

}  // namespace

void RegisterLivekitFolds(FoldTable& folds) {
  folds.On(EventType::kLivekitRoomCreated, &FoldRoomCreated);
  folds.On(EventType::kLivekitRoomEnded, &FoldRoomEnded);
  folds.On(EventType::kLivekitWebhookReceived, &FoldWebhook);
}

}  // namespace voxbase
