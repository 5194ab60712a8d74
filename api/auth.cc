#include "api/auth.h"

#include "ingest/secrets.h"

namespace voxbase {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr size_t kMaxCredentialBytes = 512;
constexpr int64_t kAppCacheTtlMs = 5000;
constexpr size_t kMaxCachedEntries = 10000;

Status BadCredentials() { return Unauthenticated("invalid credentials"); }

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
                             std::string admin_token)
    : store_(store),
      clock_(clock),
      admin_token_hash_(admin_token.empty() ? std::string() : Sha256(admin_token)) {}

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
  return Resolve(c, /*allow_token=*/true);
}

Result<AppContext> Authenticator::ForQuery(const HttpRequest& request) const {
  Credentials c{request.Query("appSlug"), request.Query("appSecret"),
                request.Query("sessionToken")};
  FromHeaders(request, &c);
  return Resolve(c, /*allow_token=*/true);
}

Result<AppContext> Authenticator::TokenOnly(std::string_view body_token,
                                            const HttpRequest& request) const {
  Credentials c{{}, {}, body_token.empty() ? request.Query("sessionToken") : body_token};
  FromHeaders(request, &c);
  if (c.token.empty()) {
    return Unauthenticated("a sessionToken is required (query or Authorization: Bearer)");
  }
  return Resolve(Credentials{{}, {}, c.token}, /*allow_token=*/true);
}

Result<AppContext> Authenticator::SecretOnly(simdjson::dom::object body,
                                             const HttpRequest& request) const {
  VOX_RETURN_IF_ERROR(CheckCredentialKeys(body));
  Credentials c{BodyString(body, "appSlug"), BodyString(body, "appSecret"), {}};
  FromHeaders(request, &c);
  if (c.slug.empty() || c.secret.empty()) {
    return Unauthenticated("this endpoint is server-to-server: appSlug and appSecret required");
  }
  return Resolve(c, /*allow_token=*/false);
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
  if (!c.token.empty() && allow_token) {
    std::string app_id;
    if (!SessionTokenAppId(c.token, &app_id)) return BadCredentials();
    Result<std::optional<SessionRecord>> session = FindSession(app_id, Sha256(c.token));
    if (!session.ok()) return session.status();
    if (!session->has_value()) return BadCredentials();
    if ((*session)->expires_at <= clock_.NowMillis()) {
      return Unauthenticated("session token expired");
    }
    return AppContext{app_id, true};
  }
  return Unauthenticated("credentials required: appSlug and appSecret, or sessionToken");
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

Result<std::optional<SessionRecord>> Authenticator::FindSession(
    const std::string& app_id, const std::string& token_hash) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = sessions_by_hash_.find(token_hash);
    if (it != sessions_by_hash_.end() && it->second.app_id == app_id) {
      return std::optional<SessionRecord>(it->second.session);
    }
  }
  Result<std::optional<SessionRecord>> session = SessionsView(store_).Find(app_id, token_hash);
  if (session.ok() && session->has_value()) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (sessions_by_hash_.size() >= kMaxCachedEntries) sessions_by_hash_.clear();
    sessions_by_hash_[token_hash] = CachedSession{app_id, **session};
  }
  return session;
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
