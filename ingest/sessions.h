// Sessions: POST /api/auth/session, a short-lived browser token. Only the token's hash is
// recorded. The token is HMAC(token key, event id), so an idempotent retry, which rebuilds the
// command with the recorded event id, hands back the same token without it ever being stored.
#pragma once

#include "ingest/command.h"

namespace voxbase {

struct SessionGrant {
  Event event;
  std::string token;  // returned to the caller; only its hash is recorded
  int64_t expires_at = 0;
};

Result<SessionGrant> BuildSessionCreated(const CommandInput& in);

}  // namespace voxbase
