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
// Every entry point then checks the matched route's declared access (HttpRequest::access,
// api/access.h) against the credential's role: a user token reaches only the session it is bound
// to, named by the request (sessionId in the query or body, or in each of a batch's messages and
// events); an operator token reads and works the queue; configuration needs the secret. A refusal
// is 403 naming the scope the route needs. A revoked or expired token is 401 saying which.
//
// Found apps and sessions are cached (bounded, apps for 5 s) so that a busy app does not pay two
// RocksDB reads and a JSON parse per request; only lookups that succeeded are cached, so a new app
// or token is seen at once, and a change to an existing app would be seen within 5 s. A cached
// token is checked against its app's revocation version (one point read per token request), so a
// revocation applied on this node ends the token at once.
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
  // `legacy_session_tokens`: tokens minted before roles keep the app-wide rights they had
  // (--legacy-session-tokens); otherwise they are user tokens bound to no session.
  Authenticator(const ProjectionStore& store, const Clock& clock, std::string admin_token,
                bool legacy_session_tokens = false);

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
  Result<AppContext> ResolveToken(std::string_view token) const;
  // The declared access of the request's route, for the resolved caller; `body` is null for a
  // request whose input is its query.
  Status Authorize(const AppContext& app, const HttpRequest& request,
                   const simdjson::dom::object* body) const;
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
    int64_t revocation_version;  // the app's, when the row was read
  };
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, CachedApp> apps_by_slug_;          // guarded by cache_mu_
  mutable std::unordered_map<std::string, CachedSession> sessions_by_hash_;  // guarded by cache_mu_

  const ProjectionStore& store_;
  const Clock& clock_;
  const std::string admin_token_hash_;  // empty when the admin API is off
  const bool legacy_session_tokens_;
};

}  // namespace voxbase
