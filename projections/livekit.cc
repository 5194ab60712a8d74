#include "projections/livekit.h"

#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;
constexpr size_t kMaxParticipantsShown = 100;

}  // namespace

std::string RoomRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("roomName", room_name)
      .Field("sessionId", session_id)
      .Field("status", status)
      .Field("roomSid", room_sid)
      .Field("createdAt", created_at);
  WriteOptionalInt(w, "startedAt", started_at);
  WriteOptionalInt(w, "endedAt", ended_at);
  w.EndObject();
  return w.str();
}

Result<RoomRow> RoomRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  RoomRow r;
  r.room_name = StringField(*obj, "roomName");
  r.session_id = StringField(*obj, "sessionId");
  r.status = StringField(*obj, "status");
  r.room_sid = StringField(*obj, "roomSid");
  r.created_at = IntField(*obj, "createdAt");
  r.started_at = OptionalIntField(*obj, "startedAt");
  r.ended_at = OptionalIntField(*obj, "endedAt");
  if (r.room_name.empty() || r.status.empty()) return Corruption("stored room is malformed");
  return r;
}

std::string ParticipantRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("identity", identity)
      .Field("name", name)
      .Field("kind", kind)
      .Field("status", status)
      .Field("joinedAt", joined_at);
  WriteOptionalInt(w, "leftAt", left_at);
  w.EndObject();
  return w.str();
}

Result<ParticipantRow> ParticipantRow::Decode(simdjson::dom::parser& parser,
                                              std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  ParticipantRow p;
  p.identity = StringField(*obj, "identity");
  p.name = StringField(*obj, "name");
  p.kind = StringField(*obj, "kind");
  p.status = StringField(*obj, "status");
  p.joined_at = IntField(*obj, "joinedAt");
  p.left_at = OptionalIntField(*obj, "leftAt");
  if (p.identity.empty()) return Corruption("stored participant is malformed");
  return p;
}

std::string RoomKey(std::string_view app_id, std::string_view room_name) {
  std::string key(app_id);
  key.append(room_name);
  return key;
}

std::string ParticipantPrefix(std::string_view app_id, std::string_view room_name) {
  std::string key = RoomKey(app_id, room_name);
  key.push_back('\0');
  return key;
}

std::string ParticipantKey(std::string_view app_id, std::string_view room_name,
                           std::string_view identity) {
  return ParticipantPrefix(app_id, room_name).append(identity);
}

Result<std::optional<RoomRow>> LivekitView::Room(std::string_view app_id,
                                                 std::string_view room_name) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kLivekitRooms), RoomKey(app_id, room_name), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<RoomRow>();
  thread_local simdjson::dom::parser parser;
  Result<RoomRow> row = RoomRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<RoomRow>(std::move(*row));
}

Result<std::vector<std::string>> LivekitView::Participants(std::string_view app_id,
                                                           std::string_view room_name) const {
  const std::string prefix = ParticipantPrefix(app_id, room_name);
  std::vector<std::string> rows;
  auto it = store_.NewIterator(Family(Table::kLivekitParticipants));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (rows.size() == kMaxParticipantsShown) break;
    Result<std::string_view> json = DecodeValue(it->value(), ParticipantRow::kVersion);
    if (!json.ok()) return json.status();
    rows.emplace_back(*json);
  }
  VOX_RETURN_IF_ERROR(it->status());
  return rows;
}

Result<Page> LivekitView::ListRooms(std::string_view app_id, std::string_view status, size_t limit,
                                    std::string_view cursor) const {
  std::string start(app_id);
  if (!cursor.empty()) {
    Result<std::string> key = CursorKey(cursor, app_id, app_id);
    if (!key.ok()) return key.status();
    start = std::move(*key);
  }
  thread_local simdjson::dom::parser parser;
  Page page;
  auto it = store_.NewIterator(Family(Table::kLivekitRooms));
  size_t scanned = 0;
  for (it->Seek(start); it->Valid() && it->key().starts_with(app_id); it->Next()) {
    if (page.rows.size() == limit || ++scanned > kMaxScannedPerPage) {
      page.next_cursor = MakeCursor(it->key(), app_id);
      break;
    }
    Result<RoomRow> room = RoomRow::Decode(parser, it->value());
    if (!room.ok()) return room.status();
    bool wanted = status.empty() ? room->status != "ended" : room->status == status;
    if (!wanted) continue;
    Result<std::vector<std::string>> participants = Participants(app_id, room->room_name);
    if (!participants.ok()) return participants.status();
    std::string json = room->ToJson();
    JsonWriter list;
    list.BeginArray();
    for (const std::string& p : *participants) list.Raw(p);
    list.EndArray();
    json.pop_back();  // the closing brace: the participants go inside the room
    json.append(",\"participants\":").append(list.view()).push_back('}');
    page.rows.push_back(std::move(json));
  }
  VOX_RETURN_IF_ERROR(it->status());
  return page;
}

}  // namespace voxbase
