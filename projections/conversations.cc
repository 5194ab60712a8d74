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
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kConversations), ConversationKey(app_id, session_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  Result<std::string_view> json = DecodeValue(stored, ConversationRow::kVersion);
  if (!json.ok()) return json.status();
  return std::optional<std::string>(std::string(*json));
}

Result<Page> ConversationsView::List(std::string_view app_id, std::string_view status, size_t limit,
                                     std::string_view cursor) const {
  const std::string prefix = IndexPrefix(app_id, IndexKind::kConversationsByStart);
  std::string start = prefix;
  if (!cursor.empty()) {
    Result<std::string> key = CursorKey(cursor, app_id, prefix);
    if (!key.ok()) return key.status();
    start = std::move(*key);
  }
  thread_local simdjson::dom::parser parser;
  Page page;
  auto it = store_.NewIterator(Family(Table::kIndexes));
  size_t scanned = 0;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (page.rows.size() == limit || ++scanned > kMaxScannedPerPage) {
      page.next_cursor = MakeCursor(it->key(), app_id);
      break;
    }
    std::string_view session_id = it->key().substr(prefix.size() + 8);
    Result<std::optional<std::string>> row = Get(app_id, session_id);
    if (!row.ok()) return row.status();
    if (!row->has_value()) continue;
    if (!status.empty()) {
      simdjson::dom::object obj;
      std::string_view row_status;
      if (parser.parse(**row).get(obj) || obj["status"].get(row_status) || row_status != status) {
        continue;
      }
    }
    page.rows.push_back(std::move(**row));
  }
  VOX_RETURN_IF_ERROR(it->status());
  return page;
}

}  // namespace voxbase
