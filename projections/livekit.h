// LiveKit tables: livekitRooms (app id | room name) and livekitParticipants
// (app id | room name | NUL | identity). Rows are written by the folds in
// processors/livekit_fold.cc; the views are thread-safe and the store must outlive them.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct RoomRow {
  std::string room_name;
  std::string session_id;  // empty for a room voxbase did not create
  std::string status = "waiting";
  std::string room_sid;
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> ended_at;

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<RoomRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

struct ParticipantRow {
  std::string identity;
  std::string name;
  std::string kind = "user";      // kParticipantKinds
  std::string status = "joined";  // joined, left, aborted
  int64_t joined_at = 0;
  std::optional<int64_t> left_at;

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<ParticipantRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string RoomKey(std::string_view app_id, std::string_view room_name);
std::string ParticipantPrefix(std::string_view app_id, std::string_view room_name);
std::string ParticipantKey(std::string_view app_id, std::string_view room_name,
                           std::string_view identity);

class LivekitView {
 public:
  explicit LivekitView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<RoomRow>> Room(std::string_view app_id, std::string_view room_name) const;
  // Rows as {…room, "participants": [...]}: those not ended when `status` is empty, else those
  // with that status; by room name, paged.
  Result<Page> ListRooms(std::string_view app_id, std::string_view status, size_t limit,
                         std::string_view cursor) const;
  // A room's participants as JSON rows.
  Result<std::vector<std::string>> Participants(std::string_view app_id,
                                                std::string_view room_name) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
