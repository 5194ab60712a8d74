// conversation.saved: creates the conversation on first save; later saves overwrite only the
// fields they carry, and move the newest-first index entry when startedAt changes.
#include "processors/conversation_update.h"
#include "processors/experiment_counts.h"
#include "processors/fold.h"
#include "projections/conversations.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {
namespace {

std::optional<std::string> OptionalString(simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s)) return std::nullopt;
  return std::string(s);
}

}  // namespace

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

  const std::string old_status = *found ? row.status : std::string();
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
  if (row.status == old_status) return Status::Ok();
  return CountConversationForExperiments(c, session_id, row.status);
}

namespace {

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
  });
}

}  // namespace

void RegisterConversationFolds(FoldTable& folds) {
  folds.Register(EventType::kConversationSaved, &FoldConversationSaved);
}

}  // namespace voxbase
