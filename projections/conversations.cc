#include "projections/conversations.h"

#include <limits>

#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;

std::optional<std::string> OptionalString(simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s)) return std::nullopt;
  return std::string(s);
}

}  // namespace

std::string ConversationRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("conversationId", conversation_id)
      .Field("sessionId", session_id)
      .Field("status", status);
  w.Key("channel");
  channel ? w.String(*channel) : w.Null();
  w.Key("resolution");
  resolution ? w.String(*resolution) : w.Null();
  w.Field("startedAt", started_at);
  w.Key("endedAt");
  ended_at ? w.Int(*ended_at) : w.Null();
  w.Key("durationMs");
  ended_at ? w.Int(*ended_at - started_at) : w.Null();
  w.RawField("messages", messages_json)
      .RawField("metadata", metadata_json)
      .Field("createdAt", created_at)
      .Field("updatedAt", updated_at);
  w.Key("handedOffAt");
  handed_off_at ? w.Int(*handed_off_at) : w.Null();
  w.EndObject();
  return w.str();
}

Result<ConversationRow> ConversationRow::Decode(simdjson::dom::parser& parser,
                                                std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  simdjson::dom::object row = *obj;
  ConversationRow c;
  std::string_view s;
  simdjson::dom::element field, messages, metadata;
  bool ok = !row["conversationId"].get(s);
  if (ok) c.conversation_id = std::string(s);
  ok = ok && !row["sessionId"].get(s);
  if (ok) c.session_id = std::string(s);
  ok = ok && !row["status"].get(s);
  if (ok) c.status = std::string(s);
  if (!row["channel"].get(field)) c.channel = OptionalString(field);
  if (!row["resolution"].get(field)) c.resolution = OptionalString(field);
  ok = ok && !row["startedAt"].get(c.started_at);
  int64_t ended = 0;
  if (!row["endedAt"].get(ended)) c.ended_at = ended;
  ok = ok && !row["messages"].get(messages) && !row["metadata"].get(metadata);
  if (ok) {
    c.messages_json = simdjson::minify(messages);
    c.metadata_json = simdjson::minify(metadata);
  }
  ok = ok && !row["createdAt"].get(c.created_at) && !row["updatedAt"].get(c.updated_at);
  int64_t handed_off = 0;
  if (!row["handedOffAt"].get(handed_off)) c.handed_off_at = handed_off;
  if (!ok) return Corruption("stored conversation is malformed");
  return c;
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
