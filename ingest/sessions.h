// Sessions: POST /api/auth/session, a short-lived browser token, and its revocation. Only the
// token's hash is recorded. The token is HMAC(token key, event id), so an idempotent retry, which
// rebuilds the command with the recorded event id, hands back the same token without it ever being
// stored.
//
// A token has a role (api/access.h): "user" (the default) is bound to one sessionId — the caller's,
// or when it gives none a fresh one derived from the event id — and "operator" to none.
#pragma once

#include "ingest/command.h"

namespace voxbase {

struct SessionGrant {
  Event event;
  std::string token;  // returned to the caller; only its hash is recorded
  int64_t expires_at = 0;
  std::string role;
  std::string session_id;  // empty for an operator token
};

Result<SessionGrant> BuildSessionCreated(const CommandInput& in);

// session.revoked for the token whose SHA-256 (raw) is `token_hash`.
Event BuildSessionRevoked(const CommandInput& in, std::string_view token_hash);
// session.revoked_all: every token of the app created before the event's time.
Event BuildSessionsRevokedAll(const CommandInput& in);

}  // namespace voxbase
