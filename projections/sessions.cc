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

// A token key ends in 32 raw bytes; this one in a shorter word, so the two never meet.
std::string RevocationKey(std::string_view app_id) {
  std::string key(app_id);
  key.append("\x01revocations");
  return key;
}

std::string EncodeSessionRow(const SessionRecord& session) {
  JsonWriter row;
  row.BeginObject().Field("createdAt", session.created_at).Field("expiresAt", session.expires_at);
  if (!session.role.empty()) row.Field("role", session.role);
  if (!session.session_id.empty()) row.Field("sessionId", session.session_id);
  if (session.revoked_at) row.Field("revokedAt", *session.revoked_at);
  row.EndObject();
  return EncodeValue(row.view(), kSessionRowVersion);
}

std::string EncodeRevocationRow(const RevocationState& state) {
  JsonWriter row;
  row.BeginObject()
      .Field("revokedBefore", state.revoked_before)
      .Field("version", state.version)
      .EndObject();
  return EncodeValue(row.view(), kSessionRowVersion);
}

Result<SessionRecord> DecodeSessionRow(std::string_view stored) {
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kSessionRowVersion);
  if (!obj.ok()) return obj.status();
  return SessionRecord{IntField(*obj, "createdAt"), IntField(*obj, "expiresAt"),
                       StringField(*obj, "role"), StringField(*obj, "sessionId"),
                       OptionalIntField(*obj, "revokedAt")};
}

Result<RevocationState> DecodeRevocationRow(std::string_view stored) {
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kSessionRowVersion);
  if (!obj.ok()) return obj.status();
  return RevocationState{IntField(*obj, "revokedBefore"), IntField(*obj, "version")};
}

Result<std::optional<SessionRecord>> SessionsView::Find(std::string_view app_id,
                                                        std::string_view token_hash) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kSessions), SessionTokenKey(app_id, token_hash), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<SessionRecord>();
  Result<SessionRecord> row = DecodeSessionRow(stored);
  if (!row.ok()) return row.status();
  return std::optional<SessionRecord>(std::move(*row));
}

Result<RevocationState> SessionsView::Revocations(std::string_view app_id) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kSessions), RevocationKey(app_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return RevocationState{};
  return DecodeRevocationRow(stored);
}

}  // namespace voxbase
