#include "projections/conversations.h"

#include <limits>

#include "projections/row_codec.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;

std::optional<int64_t> DurationMs(const ConversationRow& row) {
  if (!row.ended_at) return std::nullopt;
  return *row.ended_at - row.started_at;
}

constexpr auto kConversationFields = std::make_tuple(
    Required(Col("conversationId", &ConversationRow::conversation_id)),
    Required(Col("sessionId", &ConversationRow::session_id)),
    Required(Col("status", &ConversationRow::status)), Col("channel", &ConversationRow::channel),
    Col("resolution", &ConversationRow::resolution),
    Required(Col("startedAt", &ConversationRow::started_at)),
    Col("endedAt", &ConversationRow::ended_at),
    WriteOnly<ConversationRow>("durationMs", &DurationMs),
    Required(RawCol("messages", &ConversationRow::messages_json)),
    Required(RawCol("metadata", &ConversationRow::metadata_json)),
    Required(Col("createdAt", &ConversationRow::created_at)),
    Required(Col("updatedAt", &ConversationRow::updated_at)),
    Col("handedOffAt", &ConversationRow::handed_off_at),
    Col("endReason", &ConversationRow::end_reason),
    Col("endReasonDetail", &ConversationRow::end_reason_detail));

}  // namespace

std::string ConversationRow::ToJson() const { return RowJson(*this, kConversationFields); }

Result<ConversationRow> ConversationRow::Decode(simdjson::dom::parser& parser,
                                                std::string_view stored) {
  return DecodeRow<ConversationRow>(parser, stored, kVersion, kConversationFields, "conversation");
}

std::string ConversationKey(std::string_view app_id, std::string_view session_id) {
  std::string key(app_id);
  key.append(session_id);
  return key;
}

std::string ConversationByStartKey(std::string_view app_id, int64_t started_at,
                                   std::string_view session_id) {
  std::string key = IndexPrefix(app_id, IndexKind::kConversationsByStart);
  AppendBigEndian64(&key, static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - started_at));
  key.append(session_id);
  return key;
}

Result<std::optional<std::string>> ConversationsView::Get(std::string_view app_id,
                                                          std::string_view session_id) const {
  return GetStoredJson(store_, Family(Table::kConversations), ConversationKey(app_id, session_id),
                       ConversationRow::kVersion);
}

Result<Page> ConversationsView::List(std::string_view app_id, std::string_view status, size_t limit,
                                     std::string_view cursor) const {
  const std::string prefix = IndexPrefix(app_id, IndexKind::kConversationsByStart);
  thread_local simdjson::dom::parser parser;
  return ScanPage(
      store_, Family(Table::kIndexes), app_id, prefix, limit, cursor,
      [&](std::string_view key, std::string_view) -> Result<std::optional<std::string>> {
        Result<std::optional<std::string>> row = Get(app_id, key.substr(prefix.size() + 8));
        if (!row.ok() || !row->has_value() || status.empty()) return row;
        simdjson::dom::object obj;
        std::string_view row_status;
        if (parser.parse(**row).get(obj) || obj["status"].get(row_status) || row_status != status) {
          return std::optional<std::string>();
        }
        return row;
      },
      kMaxScannedPerPage);
}

}  // namespace voxbase
