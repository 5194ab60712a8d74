// Authenticator: resolves a request's credentials to the app it acts for, before any data is
// touched (DESIGN.md invariant 7).
//
// Two ways in, as in seed 001: appSlug + appSecret (server to server) or a sessionToken from
// POST /api/auth/session (browser-safe, with a TTL). POST bodies carry them as JSON fields, GET
// requests as query parameters; headers work for both (X-App-Slug and X-App-Secret, or
// Authorization: Bearer <sessionToken>). Secrets and tokens are compared as hashes in constant
// time, and an unknown slug costs the same hash as a wrong secret. The admin API takes
// Authorization: Bearer $VOXBASE_ADMIN_TOKEN, and is off when no token is configured.
// Thread-safe; the store and clock must outlive it.
#pragma once

#include <simdjson.h>

#include <string>

#include "api/http.h"
#include "ingest/commands.h"
#include "schemas/clock.h"
#include "storage/store.h"

namespace voxbase {

class Authenticator {
 public:
  Authenticator(const ProjectionStore& store, const Clock& clock, std::string admin_token);

  Result<AppContext> ForBody(simdjson::dom::object body, const HttpRequest& request) const;
  Result<AppContext> ForQuery(const HttpRequest& request) const;
  // Server-to-server calls (minting session tokens): the app secret, never a session token.
  Result<AppContext> SecretOnly(simdjson::dom::object body, const HttpRequest& request) const;
  Status CheckAdmin(const HttpRequest& request) const;

 private:
  struct Credentials {
    std::string_view slug;
    std::string_view secret;
    std::string_view token;
  };
  Result<AppContext> Resolve(const Credentials& credentials, bool allow_token) const;
  static void FromHeaders(const HttpRequest& request, Credentials* credentials);

  const ProjectionStore& store_;
  const Clock& clock_;
  const std::string admin_token_hash_;  // empty when the admin API is off
};

}  // namespace voxbase
