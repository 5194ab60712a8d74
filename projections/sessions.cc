#include "projections/sessions.h"

#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {

std::string SessionTokenKey(std::string_view app_id, std::string_view token_hash) {
  std::string key(app_id);
  key.append(token_hash);
  return key;
}

std::string EncodeSessionRow(const SessionRecord& session) {
  JsonWriter row;
  row.BeginObject()
      .Field("createdAt", session.created_at)
      .Field("expiresAt", session.expires_at)
      .EndObject();
  return EncodeValue(row.view(), kSessionRowVersion);
}

Result<std::optional<SessionRecord>> SessionsView::Find(std::string_view app_id,
                                                        std::string_view token_hash) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kSessions), SessionTokenKey(app_id, token_hash), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<SessionRecord>();
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kSessionRowVersion);
  if (!obj.ok()) return obj.status();
  return std::optional<SessionRecord>(
      SessionRecord{IntField(*obj, "createdAt"), IntField(*obj, "expiresAt")});
}

}  // namespace voxbase
