#include "api/auth.h"

#include "ingest/secrets.h"

namespace voxbase {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr size_t kMaxCredentialBytes = 512;
constexpr int64_t kAppCacheTtlMs = 5000;
constexpr size_t kMaxCachedEntries = 10000;

Status BadCredentials() { return Unauthenticated("invalid credentials"); }

std::string CallerName(const AppContext& app) {
  switch (app.role) {
    case CallerRole::kSecret:
      return "the app secret";
    case CallerRole::kOperator:
      return "an operator token";
    case CallerRole::kUser:
      if (app.session_id.empty()) {
        return "a session token minted before roles, bound to no session (mint one with role "
               "and sessionId, or start the server with --legacy-session-tokens),";
      }
      return "a user token (session " + app.session_id + ")";
    case CallerRole::kLegacy:
      return "a session token minted before roles";
  }
  return "this credential";
}

Status NeedsScope(Access access, const AppContext& app) {
  return Status(StatusCode::kPermissionDenied, "this route needs scope " +
                                                   std::string(AccessName(access)) + " (" +
                                                   std::string(AccessHolders(access)) + "); " +
                                                   CallerName(app) + " may not call it");
}

// Whether every session the request names is `bound`, and it names at least one: ?sessionId= for
// a request read from its query; for a body, its sessionId and each of its messages' and events'.
// A sessionId that is not a string names a session that is not `bound`.
bool NamesOnly(const HttpRequest& request, const simdjson::dom::object* body,
               std::string_view bound) {
  if (body == nullptr) return request.HasQuery("sessionId") && request.Query("sessionId") == bound;
  size_t named = 0;
  auto check = [&](simdjson::dom::element value) {
    std::string_view id;
    ++named;
    return !value.get(id) && id == bound;
  };
  simdjson::dom::element value;
  if (!(*body)["sessionId"].get(value) && !check(value)) return false;
  for (std::string_view batch : {"messages", "events"}) {
    simdjson::dom::array items;
    if ((*body)[batch].get(items)) continue;
    for (simdjson::dom::element item : items) {
      simdjson::dom::object fields;
      if (item.get(fields) || fields["sessionId"].get(value)) continue;
      if (!check(value)) return false;
    }
  }
  return named > 0;
}

}  // namespace

Status CheckCredentialKeys(simdjson::dom::object body) {
  int slug = 0, secret = 0, token = 0;
  for (auto field : body) {
    slug += field.key == "appSlug";
    secret += field.key == "appSecret";
    token += field.key == "sessionToken";
  }
  if (slug > 1 || secret > 1 || token > 1) {
    // A proxy that takes the last occurrence would authorize differently: refuse the ambiguity.
    return InvalidArgument("a credential key (appSlug, appSecret or sessionToken) appears twice");
  }
  return Status::Ok();
}

namespace {

std::string_view BodyString(simdjson::dom::object body, std::string_view name) {
  std::string_view v;
  if (body[name].get(v)) return {};
  return v;
}

}  // namespace

Authenticator::Authenticator(const ProjectionStore& store, const Clock& clock,
                             std::string admin_token, bool legacy_session_tokens)
    : store_(store),
      clock_(clock),
      admin_token_hash_(admin_token.empty() ? std::string() : Sha256(admin_token)),
      legacy_session_tokens_(legacy_session_tokens) {}

Status Authenticator::Authorize(const AppContext& app, const HttpRequest& request,
                                const simdjson::dom::object* body) const {
  const Access access = request.access;
  const bool secret = app.role == CallerRole::kSecret;
  // With --legacy-session-tokens a role-less token keeps what every token could do before roles
  // (ResolveToken makes it a user token bound to no session otherwise).
  const bool app_wide_token = app.role == CallerRole::kLegacy;
  const bool operator_rights = secret || app.role == CallerRole::kOperator || app_wide_token;
  bool allowed = false;
  switch (access) {
    case Access::kSecret:
      allowed = secret;
      break;
    case Access::kOperator:
      allowed = operator_rights;
      break;
    case Access::kSessionRead:
    case Access::kSessionWrite: {
      allowed = access == Access::kSessionRead ? operator_rights : secret || app_wide_token;
      if (!allowed && app.role == CallerRole::kUser) {
        if (app.session_id.empty() || !NamesOnly(request, body, app.session_id)) {
          return Status(StatusCode::kPermissionDenied,
                        "a user token reaches only its own session (" + app.session_id +
                            "): name it as sessionId, and no other; lists across sessions need "
                            "scope operator");
        }
        allowed = true;
      }
      break;
    }
    case Access::kAgent:
      allowed = true;
      break;
    case Access::kPublic:
    case Access::kAdmin:
    case Access::kUndeclared:
      return Internal("the route " + request.path + " takes no app credentials");
  }
  return allowed ? Status::Ok() : NeedsScope(access, app);
}

void Authenticator::FromHeaders(const HttpRequest& request, Credentials* c) {
  if (c->slug.empty()) c->slug = request.Header("x-app-slug");
  if (c->secret.empty()) c->secret = request.Header("x-app-secret");
  if (c->token.empty()) {
    std::string_view auth = request.Header("authorization");
    if (auth.starts_with(kBearer)) c->token = auth.substr(kBearer.size());
  }
}

Result<AppContext> Authenticator::ForBody(simdjson::dom::object body,
                                          const HttpRequest& request) const {
  VOX_RETURN_IF_ERROR(CheckCredentialKeys(body));
  Credentials c{BodyString(body, "appSlug"), BodyString(body, "appSecret"),
                BodyString(body, "sessionToken")};
  FromHeaders(request, &c);
  Result<AppContext> app = Resolve(c, /*allow_token=*/true);
  if (app.ok()) VOX_RETURN_IF_ERROR(Authorize(*app, request, &body));
  return app;
}

Result<AppContext> Authenticator::ForQuery(const HttpRequest& request) const {
  Credentials c{request.Query("appSlug"), request.Query("appSecret"),
                request.Query("sessionToken")};
  FromHeaders(request, &c);
  Result<AppContext> app = Resolve(c, /*allow_token=*/true);
  if (app.ok()) VOX_RETURN_IF_ERROR(Authorize(*app, request, nullptr));
  return app;
}

Result<AppContext> Authenticator::TokenOnly(std::string_view body_token,
                                            const HttpRequest& request) const {
  Credentials c{{}, {}, body_token.empty() ? request.Query("sessionToken") : body_token};
  FromHeaders(request, &c);
  if (c.token.empty()) {
    return Unauthenticated("a sessionToken is required (query or Authorization: Bearer)");
  }
  Result<AppContext> app = Resolve(Credentials{{}, {}, c.token}, /*allow_token=*/true);
  if (app.ok()) VOX_RETURN_IF_ERROR(Authorize(*app, request, nullptr));
  return app;
}

Result<AppContext> Authenticator::SecretOnly(simdjson::dom::object body,
                                             const HttpRequest& request) const {
  VOX_RETURN_IF_ERROR(CheckCredentialKeys(body));
  Credentials c{BodyString(body, "appSlug"), BodyString(body, "appSecret"),
                BodyString(body, "sessionToken")};
  FromHeaders(request, &c);
  if (c.slug.empty() && c.secret.empty() && !c.token.empty()) {
    // A bad, revoked or expired token is told which (401); a good one, that it lacks the scope.
    Result<AppContext> app = ResolveToken(c.token);
    if (!app.ok()) return app.status();
    return NeedsScope(Access::kSecret, *app);
  }
  if (c.slug.empty() || c.secret.empty()) {
    return Unauthenticated("this endpoint is server-to-server: appSlug and appSecret required");
  }
  Result<AppContext> app = Resolve(c, /*allow_token=*/false);
  if (app.ok()) VOX_RETURN_IF_ERROR(Authorize(*app, request, &body));
  return app;
}

Result<AppContext> Authenticator::Resolve(const Credentials& c, bool allow_token) const {
  if (c.slug.size() > kMaxCredentialBytes || c.secret.size() > kMaxCredentialBytes ||
      c.token.size() > kMaxCredentialBytes) {
    return BadCredentials();
  }
  if (!c.slug.empty() || !c.secret.empty()) {
    if (c.slug.empty() || c.secret.empty()) {
      return Unauthenticated("appSlug and appSecret go together");
    }
    Result<std::optional<AppRecord>> app = FindApp(c.slug);
    if (!app.ok()) return app.status();
    if (!app->has_value()) {
      // Same work as a wrong secret, so timing does not tell which slugs exist.
      (void)ConstantTimeEquals(SaltedSecretHash("0000000000000000", c.secret),
                               std::string(32, '\0'));
      return BadCredentials();
    }
    const AppRecord& record = **app;
    if (!ConstantTimeEquals(SaltedSecretHash(record.secret_salt, c.secret), record.secret_hash)) {
      return BadCredentials();
    }
    return AppContext{record.app_id, false};
  }
  if (!c.token.empty() && allow_token) return ResolveToken(c.token);
  return Unauthenticated("credentials required: appSlug and appSecret, or sessionToken");
}

Result<AppContext> Authenticator::ResolveToken(std::string_view token) const {
  std::string app_id;
  if (!SessionTokenAppId(token, &app_id)) return BadCredentials();
  AppContext app(app_id, true);
  app.role = CallerRole::kLegacy;
  app.token_hash = Sha256(token);
  Result<std::optional<SessionRecord>> session = FindSession(app_id, app.token_hash);
  if (!session.ok()) return session.status();
  if (!session->has_value()) return BadCredentials();
  const SessionRecord& s = **session;
  if (s.revoked_at) return Unauthenticated("session token revoked");
  if (s.expires_at <= clock_.NowMillis()) return Unauthenticated("session token expired");
  if (s.role == "user") {
    app.role = CallerRole::kUser;
    app.session_id = s.session_id;
  } else if (s.role == "operator") {
    app.role = CallerRole::kOperator;
  } else if (!legacy_session_tokens_) {
    app.role = CallerRole::kUser;  // bound to no session: the agent routes only
  }
  return app;
}

Result<std::optional<AppRecord>> Authenticator::FindApp(std::string_view slug) const {
  const int64_t now = clock_.NowMillis();
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = apps_by_slug_.find(std::string(slug));
    if (it != apps_by_slug_.end() && now - it->second.loaded_ms < kAppCacheTtlMs) {
      return std::optional<AppRecord>(it->second.app);
    }
  }
  Result<std::optional<AppRecord>> app = AppsView(store_).FindBySlug(slug);
  if (app.ok() && app->has_value()) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (apps_by_slug_.size() >= kMaxCachedEntries) apps_by_slug_.clear();
    apps_by_slug_[std::string(slug)] = CachedApp{**app, now};
  }
  return app;
}

// A token revoked by revoke-all comes back with revoked_at set to when its app's tokens were.
Result<std::optional<SessionRecord>> Authenticator::FindSession(
    const std::string& app_id, const std::string& token_hash) const {
  Result<RevocationState> revocations = SessionsView(store_).Revocations(app_id);
  if (!revocations.ok()) return revocations.status();
  auto revoked = [&](SessionRecord s) {
    if (!s.revoked_at && s.created_at < revocations->revoked_before) {
      s.revoked_at = revocations->revoked_before;
    }
    return std::optional<SessionRecord>(std::move(s));
  };
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = sessions_by_hash_.find(token_hash);
    if (it != sessions_by_hash_.end() && it->second.app_id == app_id &&
        it->second.revocation_version == revocations->version) {
      return revoked(it->second.session);
    }
  }
  Result<std::optional<SessionRecord>> session = SessionsView(store_).Find(app_id, token_hash);
  if (!session.ok() || !session->has_value()) return session;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (sessions_by_hash_.size() >= kMaxCachedEntries) sessions_by_hash_.clear();
    sessions_by_hash_[token_hash] = CachedSession{app_id, **session, revocations->version};
  }
  return revoked(std::move(**session));
}

Status Authenticator::CheckAdmin(const HttpRequest& request) const {
  if (admin_token_hash_.empty()) {
    return Status(StatusCode::kPermissionDenied,
                  "the admin API is off: start the server with VOXBASE_ADMIN_TOKEN set");
  }
  std::string_view auth = request.Header("authorization");
  if (!auth.starts_with(kBearer) ||
      !ConstantTimeEquals(Sha256(auth.substr(kBearer.size())), admin_token_hash_)) {
    return Unauthenticated("admin token required: Authorization: Bearer <VOXBASE_ADMIN_TOKEN>");
  }
  return Status::Ok();
}

}  // namespace voxbase
