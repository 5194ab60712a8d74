// session.created: a browser token's hash, expiry, role and bound session, under its app.
// session.revoked: one token ends; session.revoked_all: every token of the app created before the
// event ends. Both bump the app's revocation version, which the API's token cache checks.
#include <algorithm>

#include "processors/fold.h"
#include "projections/rows.h"
#include "projections/sessions.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {
namespace {

Result<std::string> TokenHash(const DecodedEvent& event) {
  std::string_view hash_hex;
  if (event.payload["tokenHash"].get(hash_hex)) return BadPayload(event, "no tokenHash");
  std::string hash;
  if (!HexDecode(hash_hex, &hash)) return BadPayload(event, "tokenHash is not hex");
  return hash;
}

Status SaveRevocations(const FoldContext& c, int64_t revoked_before) {
  const std::string key = RevocationKey(c.event.app_id);
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kSessions), key, &stored);
  if (!found.ok()) return found.status();
  Result<RevocationState> state = *found ? DecodeRevocationRow(stored) : RevocationState{};
  if (!state.ok()) return state.status();
  state->revoked_before = std::max(state->revoked_before, revoked_before);
  ++state->version;
  c.batch.Put(Family(Table::kSessions), key, EncodeRevocationRow(*state));
  return Status::Ok();
}

Status FoldSessionCreated(const FoldContext& c) {
  Result<std::string> hash = TokenHash(c.event);
  if (!hash.ok()) return hash.status();
  SessionRecord session;
  session.created_at = c.event.ts_ms;
  if (c.event.payload["expiresAt"].get(session.expires_at)) {
    return BadPayload(c.event, "no expiresAt");
  }
  // Tokens minted before roles carry neither field: they stay role-less (api/access.h, legacy).
  session.role = StringField(c.event.payload, "role");
  session.session_id = StringField(c.event.payload, "sessionId");
  c.batch.Put(Family(Table::kSessions), SessionTokenKey(c.event.app_id, *hash),
              EncodeSessionRow(session));
  return Status::Ok();
}

Status FoldSessionRevoked(const FoldContext& c) {
  Result<std::string> hash = TokenHash(c.event);
  if (!hash.ok()) return hash.status();
  const std::string key = SessionTokenKey(c.event.app_id, *hash);
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kSessions), key, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return Status::Ok();
  Result<SessionRecord> session = DecodeSessionRow(stored);
  if (!session.ok()) return BadPayload(c.event, "the token's row cannot be read");
  if (session->revoked_at) return Status::Ok();
  session->revoked_at = c.event.ts_ms;
  c.batch.Put(Family(Table::kSessions), key, EncodeSessionRow(*session));
  return SaveRevocations(c, 0);
}

Status FoldSessionsRevokedAll(const FoldContext& c) { return SaveRevocations(c, c.event.ts_ms); }

}  // namespace

void RegisterSessionFolds(FoldTable& folds) {
  folds.On(EventType::kSessionCreated, &FoldSessionCreated);
  folds.On(EventType::kSessionRevoked, &FoldSessionRevoked);
  folds.On(EventType::kSessionsRevokedAll, &FoldSessionsRevokedAll);
}

}  // namespace voxbase
