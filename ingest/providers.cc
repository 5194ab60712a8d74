#include "ingest/providers.h"

#include "ingest/upstream_text.h"
#include "schemas/clock.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

constexpr int64_t kGeminiTokenLifetimeMs = 30 * 60 * 1000;
constexpr int64_t kGeminiNewSessionWindowMs = 60 * 1000;
constexpr size_t kMaxInstructionBytes = 32 * 1024;

// A non-2xx answer becomes a refusal that carries the upstream's status and message.
UpstreamRefusal Refusal(std::string_view provider, const OutboundResponse& response) {
  UpstreamRefusal r;
  r.upstream_status = response.status;
  r.status = response.status == 429 ? 429 : 502;
  r.retry_after = std::string(response.Header("retry-after"));
  std::string what = response.status == 401 || response.status == 403
                         ? " refused the API key"
                         : (response.status == 429 ? " is rate limiting this key" : " failed");
  r.public_message =
      std::string(provider) + what + " (HTTP " + std::to_string(response.status) + ")";
  r.message = r.public_message + ": " + UpstreamText(response.body);
  return r;
}

// A transport failure (timeout, refused connection, oversized answer), named for the provider.
Status CallFailed(std::string_view provider, const Status& status) {
  return Status(status.code(), std::string(provider) + ": " + status.message());
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

OutboundRequest ProviderJsonPost(std::string url, std::string body, const ProviderConfig& config) {
  OutboundRequest request;
  request.url = std::move(url);
  request.body = std::move(body);
  request.headers = {{"Content-Type", "application/json"}};
  request.timeout = config.timeout;
  request.allow_private = true;  // a configured provider base URL is trusted
  return request;
}

Status NotConfigured(std::string_view variable) {
  return Status(StatusCode::kUnavailable,
                std::string(variable) + " is not configured on this server");
}

Event TokenMintedEvent(const CommandInput& in, std::string_view provider, std::string_view model,
                       int64_t expires_at_ms) {
  JsonWriter w;
  w.BeginObject()
      .Field("provider", provider)
      .Field("model", model)
      .Field("expiresAt", expires_at_ms)
      .EndObject();
  return NewEvent(in, EventType::kTokenMinted, w.str());
}

Result<Minted> MintGeminiToken(const CommandInput& in, const AppSettings& app,
                               const ProviderConfig& config, HttpClient& http) {
  if (config.gemini_api_key.empty()) return NotConfigured("GEMINI_API_KEY");
  const std::string model = app.model_id.empty() ? config.gemini_model : app.model_id;
  const int64_t expires = in.now_ms + kGeminiTokenLifetimeMs;
  const int64_t new_session = in.now_ms + kGeminiNewSessionWindowMs;
  JsonWriter w;
  w.BeginObject()
      .Field("uses", 1)
      .Field("expireTime", FormatIso8601(expires))
      .Field("newSessionExpireTime", FormatIso8601(new_session))
      .Key("bidiGenerateContentSetup")
      .BeginObject()
      .Field("model", model.starts_with("models/") ? model : "models/" + model)
      .Key("generationConfig")
      .BeginObject()
      .Key("responseModalities")
      .BeginArray()
      .String(app.reply_as_audio ? "AUDIO" : "TEXT")
      .EndArray()
      .EndObject();
  if (!app.instructions.empty()) {
    w.Key("systemInstruction")
        .BeginObject()
        .Key("parts")
        .BeginArray()
        .BeginObject()
        .Field("text", app.instructions)
        .EndObject()
        .EndArray()
        .EndObject();
  }
  w.EndObject().EndObject();
  OutboundRequest request =
      ProviderJsonPost(TrimSlash(config.gemini_base_url) + "/v1alpha/auth_tokens", w.str(), config);
  request.headers.emplace_back("x-goog-api-key", config.gemini_api_key);
  Result<OutboundResponse> response = http.Send(request);
  if (!response.ok()) return CallFailed("Gemini", response.status());
  Minted minted;
  if (response->status < 200 || response->status >= 300) {
    minted.refusal = Refusal("Gemini", *response);
    return minted;
  }
  simdjson::dom::parser parser;
  std::string_view name;
  if (parser.parse(response->body)["name"].get(name) || name.empty()) {
    return UpstreamError("Gemini answered without a token name");
  }
  JsonWriter answer;
  answer.BeginObject()
      .Field("token", name)
      .Field("expiresAt", FormatIso8601(expires))
      .Field("newSessionExpiresAt", FormatIso8601(new_session))
      .Field("model", model)
      .EndObject();
  minted.answer_json = answer.str();
  minted.event = TokenMintedEvent(in, "gemini", model, expires);
  return minted;
}

Result<Minted> MintOpenAiSecret(const CommandInput& in, const AppSettings& app,
                                const ProviderConfig& config, HttpClient& http,
                                OpenAiAnswer shape) {
  std::optional<std::string_view> model, voice, instructions;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "model", Presence::kOptional, 128, &model));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "voice", Presence::kOptional, 32, &voice));
  if (voice && !kRealtimeVoices.Contains(*voice)) {
    return InvalidArgument("voice must be one of " + kRealtimeVoices.List());
  }
  VOX_RETURN_IF_ERROR(ReadString(in.body, "instructions", Presence::kOptional, kMaxInstructionBytes,
                                 &instructions));
  if (config.openai_api_key.empty()) return NotConfigured("OPENAI_API_KEY");
  const std::string use_model(model.value_or(config.openai_model));
  const std::string use_voice(voice.value_or(config.openai_voice));
  const std::string use_instructions(instructions.value_or(app.instructions));

  JsonWriter w;
  w.BeginObject()
      .Key("expires_after")
      .BeginObject()
      .Field("anchor", "created_at")
      .Field("seconds", config.openai_secret_ttl_s)
      .EndObject()
      .Key("session")
      .BeginObject()
      .Field("type", "realtime")
      .Field("model", use_model);
  if (!use_instructions.empty()) w.Field("instructions", use_instructions);
  w.Key("audio")
      .BeginObject()
      .Key("output")
      .BeginObject()
      .Field("voice", use_voice)
      .EndObject()
      .EndObject()
      .EndObject()
      .EndObject();
  OutboundRequest request = ProviderJsonPost(
      TrimSlash(config.openai_base_url) + "/v1/realtime/client_secrets", w.str(), config);
  request.headers.emplace_back("Authorization", "Bearer " + config.openai_api_key);
  Result<OutboundResponse> response = http.Send(request);
  if (!response.ok()) return CallFailed("OpenAI", response.status());
  Minted minted;
  if (response->status < 200 || response->status >= 300) {
    minted.refusal = Refusal("OpenAI", *response);
    return minted;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view value, session_id;
  int64_t expires_at_s = 0;
  if (parser.parse(response->body).get(root) || root["value"].get(value) || value.empty() ||
      root["expires_at"].get(expires_at_s)) {
    return UpstreamError("OpenAI answered without a client secret value and expires_at");
  }
  if (root["session"]["id"].get(session_id)) session_id = {};
  JsonWriter answer;
  if (shape == OpenAiAnswer::kValueOnly) {
    answer.BeginObject().Field("value", value).EndObject();
  } else {
    answer.BeginObject()
        .Field("client_secret", value)
        .Field("expires_at", FormatIso8601(expires_at_s * 1000))
        .Field("session_id", session_id)
        .Field("model", use_model)
        .Field("voice", use_voice)
        .EndObject();
  }
  minted.answer_json = answer.str();
  minted.event = TokenMintedEvent(in, "openai", use_model, expires_at_s * 1000);
  return minted;
}

}  // namespace voxbase
