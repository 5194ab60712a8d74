// Conversations: conversation.saved creates the conversation on first save; later saves overwrite
// only the fields they carry, and move the newest-first index entry when startedAt changes.
// Conversations also follow other tables' rows: a handoff created hands its session's conversation
// off and one resolved resolves it; a LiveKit room that ends resolves its session's conversation
// unless a human has it. A conversation changed that way is created when it does not exist yet,
// with the event's time as its start, so the change is never lost.
#include <functional>

#include "processors/fold.h"
#include "projections/conversations.h"
#include "projections/handoffs.h"
#include "projections/livekit.h"
#include "projections/row_codec.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {
namespace {

std::optional<std::string> OptionalString(simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s)) return std::nullopt;
  return std::string(s);
}

Status UpdateConversation(const FoldContext& c, std::string_view session_id,
                          const std::function<void(ConversationRow& row)>& change) {
  const std::string key = ConversationKey(c.event.app_id, session_id);

  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kConversations), key, &stored);
  if (!found.ok()) return found.status();
  ConversationRow row;
  std::optional<int64_t> old_started;
  if (*found) {
    Result<ConversationRow> decoded = ConversationRow::Decode(c.row_parser, stored);
    if (!decoded.ok()) {
      return Corruption("stored conversation for session " + std::string(session_id) + ": " +
                        decoded.status().message());
    }
    row = std::move(*decoded);
    old_started = row.started_at;
  } else {
    row.conversation_id = "conv_" + std::string(c.event.id.substr(c.event.id.find('_') + 1));
    row.session_id = std::string(session_id);
    row.started_at = c.event.ts_ms;
    row.created_at = c.event.ts_ms;
  }

  change(row);
  row.updated_at = c.event.ts_ms;
  if (row.status == "handed_off" && !row.handed_off_at) row.handed_off_at = c.event.ts_ms;

  if (old_started && *old_started != row.started_at) {
    c.batch.Delete(Family(Table::kIndexes),
                   ConversationByStartKey(c.event.app_id, *old_started, session_id));
  }
  c.batch.Put(Family(Table::kIndexes),
              ConversationByStartKey(c.event.app_id, row.started_at, session_id), "");
  c.batch.Put(Family(Table::kConversations), key, row.Encode());
  return Status::Ok();
}

Status FoldConversationSaved(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view session_id;
  if (p["sessionId"].get(session_id)) return BadPayload(c.event, "no sessionId");
  return UpdateConversation(c, session_id, [&p](ConversationRow& row) {
    std::string_view s;
    int64_t n = 0;
    simdjson::dom::element v;
    if (!p["status"].get(s)) row.status = std::string(s);
    if (!p["channel"].get(v)) row.channel = OptionalString(v);
    if (!p["resolution"].get(v)) row.resolution = OptionalString(v);
    if (!p["startedAt"].get(n)) row.started_at = n;
    if (!p["endedAt"].get(v)) row.ended_at = v.get(n) ? std::nullopt : std::optional<int64_t>(n);
    if (!p["messages"].get(v)) row.messages_json = simdjson::minify(v);
    if (!p["metadata"].get(v)) row.metadata_json = simdjson::minify(v);
    if (!p["endReason"].get(v)) row.end_reason = OptionalString(v);
    if (!p["endReasonDetail"].get(v)) row.end_reason_detail = OptionalString(v);
  });
}

// What a conversation follows of a handoff row: its session, status and resolution (not the
// transcript, which is most of the row).
constexpr auto kFollowedHandoffFields = std::make_tuple(
    Col("sessionId", &HandoffRow::session_id), Required(Col("status", &HandoffRow::status)),
    Col("resolution", &HandoffRow::resolution), Col("resolvedAt", &HandoffRow::resolved_at));

Result<HandoffRow> ReadHandoff(const FoldContext& c, std::string_view stored) {
  return DecodeRow<HandoffRow>(c.row_parser, stored, HandoffRow::kVersion, kFollowedHandoffFields,
                               "handoff");
}

Status FollowHandoff(const FoldContext& c, const RowChange& change) {
  if (!change.after) return Status::Ok();
  Result<HandoffRow> after = ReadHandoff(c, *change.after);
  if (!after.ok()) return after.status();
  if (!change.before) {
    return UpdateConversation(c, after->session_id, [](ConversationRow& conversation) {
      conversation.status = "handed_off";
    });
  }
  if (after->status != "resolved") return Status::Ok();
  Result<HandoffRow> before = ReadHandoff(c, *change.before);
  if (!before.ok()) return before.status();
  if (before->status == "resolved") return Status::Ok();
  const int64_t at = after->resolved_at.value_or(c.event.ts_ms);
  return UpdateConversation(c, after->session_id, [&after, at](ConversationRow& conversation) {
    conversation.status = "resolved";
    if (!after->resolution.empty()) conversation.resolution = after->resolution;
    if (!conversation.ended_at) conversation.ended_at = std::max(at, conversation.started_at);
  });
}

Status FollowRoom(const FoldContext& c, const RowChange& change) {
  if (!change.after) return Status::Ok();
  Result<RoomRow> after = RoomRow::Decode(c.row_parser, *change.after);
  if (!after.ok()) return after.status();
  if (after->status != "ended" || after->session_id.empty()) return Status::Ok();
  if (change.before) {
    Result<RoomRow> before = RoomRow::Decode(c.row_parser, *change.before);
    if (!before.ok()) return before.status();
    if (before->status == "ended") return Status::Ok();
  }
  const int64_t at = after->ended_at.value_or(c.event.ts_ms);
  return UpdateConversation(c, after->session_id, [at](ConversationRow& row) {
    if (row.status == "handed_off") return;
    row.status = "resolved";
    if (!row.ended_at) row.ended_at = std::max(at, row.started_at);
  });
}

}  // namespace

void RegisterConversationFolds(FoldTable& folds) {
  folds.On(EventType::kConversationSaved, &FoldConversationSaved);
  folds.OnRowChanged(Table::kHandoffs, &FollowHandoff);
  folds.OnRowChanged(Table::kLivekitRooms, &FollowRoom);
}

}  // namespace voxbase
