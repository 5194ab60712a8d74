#include "projections/handoffs.h"

#include "projections/row_codec.h"
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

constexpr auto kHandoffFields = std::make_tuple(
    Required(Col("handoffId", &HandoffRow::handoff_id)), Col("sessionId", &HandoffRow::session_id),
    Col("reason", &HandoffRow::reason), Col("priority", &HandoffRow::priority),
    Required(Col("status", &HandoffRow::status)),
    RawCol("transcript", &HandoffRow::transcript_json), Col("aiSummary", &HandoffRow::ai_summary),
    Col("agentId", &HandoffRow::agent_id), Col("notes", &HandoffRow::notes),
    Col("resolution", &HandoffRow::resolution), Col("lastEventId", &HandoffRow::last_event_id),
    Col("createdAt", &HandoffRow::created_at), Col("claimedAt", &HandoffRow::claimed_at),
    Col("resolvedAt", &HandoffRow::resolved_at));

std::string HandoffRow::ToJson() const { return RowJson(*this, kHandoffFields); }

Result<HandoffRow> HandoffRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<HandoffRow>(parser, stored, kVersion, kHandoffFields, "handoff");
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
