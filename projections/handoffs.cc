#include "projections/handoffs.h"

#include "projections/tables.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

char PriorityRank(std::string_view priority) {
  for (size_t i = 0; i < kHandoffPriorities.words.size(); ++i) {
    if (kHandoffPriorities.words[i] == priority) return static_cast<char>('0' + i);
  }
  return '9';
}

std::string QueuePrefix(std::string_view app_id, std::string_view status) {
  std::string key = IndexPrefix(app_id, IndexKind::kHandoffQueue);
  key.append(status).push_back('\0');
  return key;
}

}  // namespace

std::string HandoffRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("handoffId", handoff_id)
      .Field("sessionId", session_id)
      .Field("reason", reason)
      .Field("priority", priority)
      .Field("status", status)
      .RawField("transcript", transcript_json)
      .Field("aiSummary", ai_summary)
      .Field("agentId", agent_id)
      .Field("notes", notes)
      .Field("resolution", resolution)
      .Field("lastEventId", last_event_id)
      .Field("createdAt", created_at);
  WriteOptionalInt(w, "claimedAt", claimed_at);
  WriteOptionalInt(w, "resolvedAt", resolved_at);
  w.EndObject();
  return w.str();
}

Result<HandoffRow> HandoffRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  HandoffRow h;
  h.handoff_id = StringField(*obj, "handoffId");
  h.session_id = StringField(*obj, "sessionId");
  h.reason = StringField(*obj, "reason");
  h.priority = StringField(*obj, "priority");
  h.status = StringField(*obj, "status");
  simdjson::dom::element transcript;
  if (!(*obj)["transcript"].get(transcript)) h.transcript_json = simdjson::minify(transcript);
  h.ai_summary = StringField(*obj, "aiSummary");
  h.agent_id = StringField(*obj, "agentId");
  h.notes = StringField(*obj, "notes");
  h.resolution = StringField(*obj, "resolution");
  h.last_event_id = StringField(*obj, "lastEventId");
  h.created_at = IntField(*obj, "createdAt");
  h.claimed_at = OptionalIntField(*obj, "claimedAt");
  h.resolved_at = OptionalIntField(*obj, "resolvedAt");
  if (h.handoff_id.empty() || h.status.empty()) return Corruption("stored handoff is malformed");
  return h;
}

std::string HandoffKey(std::string_view app_id, std::string_view handoff_id) {
  return std::string(app_id).append(handoff_id);
}

std::string HandoffQueueKey(std::string_view app_id, const HandoffRow& row) {
  std::string key = QueuePrefix(app_id, row.status);
  key.push_back(PriorityRank(row.priority));
  AppendBigEndian64(&key, static_cast<uint64_t>(row.created_at));
  return key.append(row.handoff_id);
}

Result<std::optional<HandoffRow>> HandoffsView::Get(std::string_view app_id,
                                                    std::string_view handoff_id) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kHandoffs), HandoffKey(app_id, handoff_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<HandoffRow>();
  thread_local simdjson::dom::parser parser;
  Result<HandoffRow> row = HandoffRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<HandoffRow>(std::move(*row));
}

Result<Page> HandoffsView::Queue(std::string_view app_id, std::string_view status, size_t limit,
                                 std::string_view cursor) const {
  const std::string prefix = QueuePrefix(app_id, status);
  return ScanPage(store_, Family(Table::kIndexes), app_id, prefix, limit, cursor,
                  [&](std::string_view key, std::string_view) {
                    return GetStoredJson(store_, Family(Table::kHandoffs),
                                         HandoffKey(app_id, key.substr(prefix.size() + 1 + 8)),
                                         HandoffRow::kVersion);
                  });
}

}  // namespace voxbase
