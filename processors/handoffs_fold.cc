// Handoffs: created pending; claimed by one agent (pending → claimed); resolved (claimed →
// resolved). Any other move changes nothing; the row's lastEventId says which event made the last
// move, so the API can tell a caller whether its move won. (The session's conversation follows
// these rows: conversations_fold.cc.)
#include "processors/fold.h"
#include "projections/handoffs.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

Status FoldHandoffCreated(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  HandoffRow row;
  std::string_view id, session, reason, priority, summary;
  simdjson::dom::element transcript;
  if (p["handoffId"].get(id) || p["sessionId"].get(session) || p["reason"].get(reason) ||
      p["priority"].get(priority) || p["aiSummary"].get(summary) ||
      p["transcript"].get(transcript)) {
    return BadPayload(c.event, "a handoff lacks a field");
  }
  row.handoff_id = std::string(id);
  row.session_id = std::string(session);
  row.reason = std::string(reason);
  row.priority = std::string(priority);
  row.ai_summary = std::string(summary);
  row.transcript_json = simdjson::minify(transcript);
  row.last_event_id = std::string(c.event.id);
  row.created_at = c.event.ts_ms;
  c.batch.Put(Family(Table::kHandoffs), HandoffKey(c.event.app_id, id), row.Encode());
  c.batch.Put(Family(Table::kIndexes), HandoffQueueKey(c.event.app_id, row), "");
  return Status::Ok();
}

Status FoldHandoffMoved(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view id, action, agent, notes, resolution;
  if (p["handoffId"].get(id) || p["action"].get(action) || p["agentId"].get(agent) ||
      p["notes"].get(notes) || p["resolution"].get(resolution)) {
    return BadPayload(c.event, "a handoff move lacks a field");
  }
  std::string stored;
  const std::string key = HandoffKey(c.event.app_id, id);
  Result<bool> found = c.batch.Get(Family(Table::kHandoffs), key, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return Status::Ok();
  Result<HandoffRow> loaded = HandoffRow::Decode(c.row_parser, stored);
  if (!loaded.ok()) return loaded.status();
  HandoffRow row = std::move(*loaded);
  const std::string old_queue_key = HandoffQueueKey(c.event.app_id, row);
  if (action == "claim" && row.status == "pending") {
    row.status = "claimed";
    row.agent_id = std::string(agent);
    row.claimed_at = c.event.ts_ms;
  } else if (action == "resolve" && row.status == "claimed" &&
             (agent.empty() || agent == row.agent_id)) {
    row.status = "resolved";
    row.notes = std::string(notes);
    row.resolution = std::string(resolution);
    row.resolved_at = c.event.ts_ms;
  } else {
    return Status::Ok();  // not a move from this state: the API answers 409
  }
  row.last_event_id = std::string(c.event.id);
  c.batch.Delete(Family(Table::kIndexes), old_queue_key);
  c.batch.Put(Family(Table::kIndexes), HandoffQueueKey(c.event.app_id, row), "");
  c.batch.Put(Family(Table::kHandoffs), key, row.Encode());
  return Status::Ok();
}

}  // namespace

void RegisterHandoffFolds(FoldTable& folds) {
  folds.On(EventType::kHandoffCreated, &FoldHandoffCreated);
  folds.On(EventType::kHandoffMoved, &FoldHandoffMoved);
}

}  // namespace voxbase
