// Apps table: one row per app (its settings and the salted hash of its secret), and the slug
// index in sys.appSlugs. The row is the app.created payload as recorded.
//
// AppsView is a tenant-scoped read model; it holds a const reference to the store, which must
// outlive it. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct AppRecord {
  std::string app_id;
  std::string slug;
  std::string name;
  std::string secret_salt;  // raw bytes
  std::string secret_hash;  // raw bytes: SHA-256(salt || secret)
  std::string model_id;
  std::string system_prompt;
  bool reply_as_audio = false;
  std::string embedder;                 // empty: the server's default
  std::optional<double> gap_threshold;  // empty: the embedder's default
  std::optional<double> write_rate;     // events a second (0: no limit); empty: the server's
  std::optional<double> write_burst;    // empty: the rate
  int64_t created_at = 0;
  // The persona (PATCH /api/persona); empty fields are unset.
  std::string persona_name;
  std::string persona_tone;
  std::string persona_greeting;
  std::string preferred_terms;
  std::string blocked_terms;

  // The system prompt composed with the persona: what every model this app talks to is told
  // (the realtime tools endpoint, OpenAI and Gemini tokens).
  std::string Instructions() const;
};

// The persona fields, in the order the API shows them.
inline constexpr std::string_view kPersonaFields[] = {
    "personaName", "personaTone", "personaGreeting", "preferredTerms", "blockedTerms"};

inline constexpr char kAppRowVersion = 1;

class AppsView {
 public:
  explicit AppsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<AppRecord>> FindBySlug(std::string_view slug) const;
  Result<std::optional<AppRecord>> Get(std::string_view app_id) const;
  // The app id that owns `slug`, if any.
  Result<std::optional<std::string>> AppIdForSlug(std::string_view slug) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
