// Sessions table: short-lived browser tokens, keyed app id | SHA-256(token); only hashes are
// stored. Each token has a role (user, bound to one session; operator; or none for a token
// minted before roles existed) and may be revoked. Per app, the table also keeps the time before
// which every token is revoked (POST /api/auth/session/revoke-all) and a counter that every
// revocation bumps, so a node's cache of tokens knows when to look again.
// SessionsView is thread-safe; the store must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct SessionRecord {
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::string role;        // "user", "operator", or empty (minted before roles)
  std::string session_id;  // a user token's session
  std::optional<int64_t> revoked_at;
};

// An app's revocations: every token created before `revoked_before` is revoked; `version` moves
// with every revocation of the app.
struct RevocationState {
  int64_t revoked_before = 0;
  int64_t version = 0;
};

inline constexpr char kSessionRowVersion = 1;
std::string SessionTokenKey(std::string_view app_id, std::string_view token_hash);
std::string RevocationKey(std::string_view app_id);
std::string EncodeSessionRow(const SessionRecord& session);
std::string EncodeRevocationRow(const RevocationState& state);
Result<SessionRecord> DecodeSessionRow(std::string_view stored);
Result<RevocationState> DecodeRevocationRow(std::string_view stored);

class SessionsView {
 public:
  explicit SessionsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<SessionRecord>> Find(std::string_view app_id,
                                            std::string_view token_hash) const;
  Result<RevocationState> Revocations(std::string_view app_id) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
