#include "projections/livekit.h"

#include "projections/row_codec.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;
constexpr size_t kMaxParticipantsShown = 100;

}  // namespace

constexpr auto kRoomFields = std::make_tuple(
    Required(Col("roomName", &RoomRow::room_name)), Col("sessionId", &RoomRow::session_id),
    Required(Col("status", &RoomRow::status)), Col("roomSid", &RoomRow::room_sid),
    Col("createdAt", &RoomRow::created_at), Col("startedAt", &RoomRow::started_at),
    Col("endedAt", &RoomRow::ended_at));

constexpr auto kParticipantFields = std::make_tuple(
    Required(Col("identity", &ParticipantRow::identity)), Col("name", &ParticipantRow::name),
    Col("kind", &ParticipantRow::kind), Col("status", &ParticipantRow::status),
    Col("joinedAt", &ParticipantRow::joined_at), Col("leftAt", &ParticipantRow::left_at));

std::string RoomRow::ToJson() const { return RowJson(*this, kRoomFields); }

Result<RoomRow> RoomRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<RoomRow>(parser, stored, kVersion, kRoomFields, "room");
}

std::string ParticipantRow::ToJson() const { return RowJson(*this, kParticipantFields); }

Result<ParticipantRow> ParticipantRow::Decode(simdjson::dom::parser& parser,
                                              std::string_view stored) {
  return DecodeRow<ParticipantRow>(parser, stored, kVersion, kParticipantFields, "participant");
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
