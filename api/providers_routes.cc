// Voice providers: POST /api/token (Gemini Live), POST /api/realtime/session and
// GET /realtime/token (OpenAI Realtime), GET /api/realtime/health. Every mint is rate limited per
// app, calls out on the blocking pool, and records a token.minted event (never the token). A
// token is not stored, so an idempotent retry of a mint cannot be answered with it: it gets 409.
#include <cstdio>

#include "api/cors.h"
#include "api/routes.h"
#include "ingest/providers.h"
#include "projections/apps.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

Result<AppSettings> SettingsFor(ApiContext& api, const AppContext& app) {
  Result<std::optional<AppRecord>> record = AppsView(*api.store).Get(app.app_id);
  if (!record.ok()) return record.status();
  if (!record->has_value()) return NotFound("app not found");
  const AppRecord& a = **record;
  return AppSettings{a.slug, a.model_id, a.Instructions(), a.reply_as_audio};
}

HttpResponse RateLimited(int64_t retry_after_s) {
  HttpResponse r = ErrorResponse(429, "too many tokens minted for this app; retry later");
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

// A browser (a session token) is told the upstream's status only; its text goes to the log.
HttpResponse UpstreamAnswer(const UpstreamRefusal& refusal, const AppContext& caller) {
  if (caller.via_session_token) {
    std::fprintf(stderr, "voxbase: upstream refused a browser's mint: %s\n",
                 refusal.message.c_str());
  }
  JsonWriter w;
  w.BeginObject()
      .Field("error", caller.via_session_token ? refusal.public_message : refusal.message)
      .Field("upstreamStatus", refusal.upstream_status)
      .EndObject();
  HttpResponse r = JsonResponse(refusal.status, w.str());
  if (!refusal.retry_after.empty()) r.headers.emplace_back("Retry-After", refusal.retry_after);
  return r;
}

}  // namespace

// The shared shape of every mint: rate limit, settings, the call out, the answer.
Prepare MintRoute(ApiContext& api, Mint mint) {
  return [&api, mint = std::move(mint)](const WriteRequest& in) -> Result<PreparedWrite> {
    if (in.retry) {
      return Status(StatusCode::kAlreadyExists,
                    "a token was already minted for this Idempotency-Key and tokens are not "
                    "stored; mint a new one with a new key");
    }
    int64_t wait = api.token_limiter->Take(in.app->app_id);
    if (wait > 0) return Refuse(RateLimited(wait));
    Result<AppSettings> settings = SettingsFor(api, *in.app);
    if (!settings.ok()) return settings.status();
    Result<Minted> minted = mint(in, *settings);
    if (!minted.ok()) return minted.status();
    if (minted->refusal) return Refuse(UpstreamAnswer(*minted->refusal, *in.app));
    return WriteThen(std::move(minted->event),
                     [answer = std::move(minted->answer_json)](const Applied&) {
                       HttpResponse r = JsonResponse(200, answer);
                       r.headers.emplace_back("Cache-Control", "no-store");
                       return r;
                     });
  };
}

void AddProviderRoutes(Router& router, ApiContext& api) {
  const WriteOptions offload{true};
  AddWriteRoute(router, api, "POST", "/api/token", Access::kAgent,
                MintRoute(api,
                          [&api](const WriteRequest& in, const AppSettings& app) {
                            return MintGeminiToken(in.command, app, api.providers, *api.http);
                          }),
                offload);
  AddWriteRoute(router, api, "POST", "/api/realtime/session", Access::kAgent,
                MintRoute(api,
                          [&api](const WriteRequest& in, const AppSettings& app) {
                            return MintOpenAiSecret(in.command, app, api.providers, *api.http,
                                                    OpenAiAnswer::kSession);
                          }),
                offload);
  // Seed 000: called from the browser, so a session token only, and CORS.
  router.Add("GET", "/realtime/token", Access::kAgent,
             WithCors(&api.client_origins,
                      WriteHandler(
                          api, Caller::kBrowser,
                          MintRoute(api,
                                    [&api](const WriteRequest& in, const AppSettings& app) {
                                      return MintOpenAiSecret(in.command, app, api.providers,
                                                              *api.http, OpenAiAnswer::kValueOnly);
                                    }),
                          offload)));
  router.Add("OPTIONS", "/realtime/token", Access::kPublic,
             CorsPreflight(&api.client_origins, "GET, OPTIONS"));

  router.Add("GET", "/api/realtime/health", Access::kPublic, [&api](HttpRequest&, Respond respond) {
    JsonWriter w;
    w.BeginObject()
        .Field("status", "ok")
        .Field("service", "openai-realtime")
        .Field("apiKeyConfigured", !api.providers.openai_api_key.empty())
        .EndObject();
    respond(JsonResponse(200, w.str()));
  });
}

}  // namespace voxbase
