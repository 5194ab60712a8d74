// Authenticator: resolves a request's credentials to the app it acts for, before any data is
// touched (DESIGN.md invariant 7).
//
// Two ways in, as in seed 001: appSlug + appSecret (server to server) or a sessionToken from
// POST /api/auth/session (browser-safe, with a TTL). POST bodies carry them as JSON fields, GET
// requests as query parameters; headers work for both (X-App-Slug and X-App-Secret, or
// Authorization: Bearer <sessionToken>). Secrets and tokens are compared as hashes in constant
// time, and an unknown slug costs the same hash as a wrong secret. The admin API takes
// Authorization: Bearer $VOXBASE_ADMIN_TOKEN, and is off when no token is configured.
//
// Found apps and sessions are cached (bounded, apps for 5 s) so that a busy app does not pay two
// RocksDB reads and a JSON parse per request; only lookups that succeeded are cached, so a new app
// or token is seen at once, and a change to an existing app would be seen within 5 s.
// Thread-safe; the store and clock must outlive it.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/http.h"
#include "ingest/command.h"
#include "projections/apps.h"
#include "projections/sessions.h"
#include "schemas/clock.h"
#include "storage/store.h"

namespace voxbase {

// 400 when a body names appSlug, appSecret or sessionToken more than once.
Status CheckCredentialKeys(simdjson::dom::object body);

class Authenticator {
 public:
  Authenticator(const ProjectionStore& store, const Clock& clock, std::string admin_token);

  Result<AppContext> ForBody(simdjson::dom::object body, const HttpRequest& request) const;
  Result<AppContext> ForQuery(const HttpRequest& request) const;
  // Server-to-server calls (minting session tokens): the app secret, never a session token.
  Result<AppContext> SecretOnly(simdjson::dom::object body, const HttpRequest& request) const;
  // Browser calls: a sessionToken only (query, body or Authorization: Bearer), never a secret.
  Result<AppContext> TokenOnly(std::string_view body_token, const HttpRequest& request) const;
  Status CheckAdmin(const HttpRequest& request) const;

 private:
  struct Credentials {
    std::string_view slug;
    std::string_view secret;
    std::string_view token;
  };
  Result<AppContext> Resolve(const Credentials& credentials, bool allow_token) const;
  static void FromHeaders(const HttpRequest& request, Credentials* credentials);
  Result<std::optional<AppRecord>> FindApp(std::string_view slug) const;
  Result<std::optional<SessionRecord>> FindSession(const std::string& app_id,
                                                   const std::string& token_hash) const;

  struct CachedApp {
    AppRecord app;
    int64_t loaded_ms;
  };
  struct CachedSession {
    std::string app_id;
    SessionRecord session;
  };
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, CachedApp> apps_by_slug_;          // guarded by cache_mu_
  mutable std::unordered_map<std::string, CachedSession> sessions_by_hash_;  // guarded by cache_mu_

  const ProjectionStore& store_;
  const Clock& clock_;
  const std::string admin_token_hash_;  // empty when the admin API is off
};

}  // namespace voxbase
