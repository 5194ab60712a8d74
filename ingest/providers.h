// Providers: minting the short-lived tokens a browser uses to reach a model without the API key —
// OpenAI Realtime client secrets and Gemini Live ephemeral tokens — and the token.minted event
// that records that a token was minted (provider, model, expiry; never the token itself).
//
// Keys and base URLs come only from server configuration; they are never logged, put in an event
// or returned. Configured base URLs are trusted by the outbound guard. An upstream's refusal comes
// back as an UpstreamRefusal carrying its status, message and Retry-After, for the API to answer
// with; everything else that goes wrong is a Status. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ingest/command.h"
#include "ingest/outbound/http_client.h"

namespace voxbase {

struct ProviderConfig {
  std::string openai_api_key;
  std::string openai_base_url = "https://api.openai.com";
  std::string openai_model = "gpt-realtime";
  std::string openai_voice = "alloy";
  int64_t openai_secret_ttl_s = 60;  // seed 003: a client secret lasts a minute
  std::string gemini_api_key;
  std::string gemini_base_url = "https://generativelanguage.googleapis.com";
  std::string gemini_model = "gemini-2.5-flash-native-audio-preview-12-2025";
  std::string livekit_api_key;
  std::string livekit_api_secret;
  std::string livekit_url;
  int64_t livekit_token_ttl_s = 6 * 3600;
  std::chrono::milliseconds timeout{10000};
};

// What a mint needs to know of the app.
struct AppSettings {
  std::string slug;
  std::string model_id;
  std::string instructions;  // the system prompt, with the persona applied
  bool reply_as_audio = false;
};

// An upstream's answer that refuses the mint: the API answers with it and appends nothing.
struct UpstreamRefusal {
  int status = 502;            // 429 stays 429; anything else is 502
  std::string message;         // with the upstream's own text, masked (ingest/upstream_text.h)
  std::string public_message;  // without it: what a browser caller is told
  int upstream_status = 0;
  std::string retry_after;
};

struct Minted {
  Event event;              // token.minted
  std::string answer_json;  // what the caller gets: the token and its expiry
  std::optional<UpstreamRefusal> refusal;
};

// POST /api/token: a Gemini Live token for one session.
Result<Minted> MintGeminiToken(const CommandInput& in, const AppSettings& app,
                               const ProviderConfig& config, HttpClient& http);

// POST /api/realtime/session (seed 003's answer) and GET /realtime/token (seed 000's {value}):
// an OpenAI Realtime client secret. `body` may name model, voice and instructions.
enum class OpenAiAnswer { kSession, kValueOnly };
Result<Minted> MintOpenAiSecret(const CommandInput& in, const AppSettings& app,
                                const ProviderConfig& config, HttpClient& http, OpenAiAnswer shape);

// The token.minted payload for a LiveKit token minted here, without a call out.
Event TokenMintedEvent(const CommandInput& in, std::string_view provider, std::string_view model,
                       int64_t expires_at_ms);

// A JSON POST to a configured provider base URL (trusted by the outbound guard), with the
// configured timeout.
OutboundRequest ProviderJsonPost(std::string url, std::string body, const ProviderConfig& config);

// 503 naming the variable that is not set.
Status NotConfigured(std::string_view variable);

}  // namespace voxbase
