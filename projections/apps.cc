#include "projections/apps.h"

#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {

std::string AppRecord::Instructions() const {
  std::string persona;
  auto add = [&persona](const std::string& sentence) {
    if (!persona.empty()) persona += " ";
    persona += sentence;
  };
  if (!persona_name.empty()) add("Your name is " + persona_name + ".");
  if (!persona_tone.empty()) add("Your tone is " + persona_tone + ".");
  if (!persona_greeting.empty()) add("Greet the caller with: \"" + persona_greeting + "\"");
  if (!preferred_terms.empty()) add("Prefer these terms: " + preferred_terms + ".");
  if (!blocked_terms.empty()) add("Never use these terms: " + blocked_terms + ".");
  if (persona.empty()) return system_prompt;
  if (system_prompt.empty()) return persona;
  return system_prompt + "\n\n" + persona;
}

Result<std::optional<std::string>> AppsView::AppIdForSlug(std::string_view slug) const {
  std::string app_id;
  Result<bool> found = store_.Get(Family(Table::kAppSlugs), slug, &app_id);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(app_id));
}

Result<std::optional<AppRecord>> AppsView::FindBySlug(std::string_view slug) const {
  Result<std::optional<std::string>> app_id = AppIdForSlug(slug);
  if (!app_id.ok()) return app_id.status();
  if (!app_id->has_value()) return std::optional<AppRecord>();
  return Get(**app_id);
}

Result<std::optional<AppRecord>> AppsView::Get(std::string_view app_id) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kApps), app_id, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<AppRecord>();
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kAppRowVersion);
  if (!obj.ok()) return obj.status();
  AppRecord app;
  app.app_id = std::string(app_id);
  app.slug = StringField(*obj, "slug");
  app.name = StringField(*obj, "name");
  app.model_id = StringField(*obj, "modelId");
  app.system_prompt = StringField(*obj, "systemPrompt");
  app.created_at = IntField(*obj, "createdAt");
  app.embedder = StringField(*obj, "embedder");
  double gap_threshold = 0;
  if (!(*obj)["gapThreshold"].get(gap_threshold)) app.gap_threshold = gap_threshold;
  if (std::optional<int64_t> rate = OptionalIntField(*obj, "writeRate")) {
    app.write_rate = static_cast<double>(*rate);
  }
  if (std::optional<int64_t> burst = OptionalIntField(*obj, "writeBurst")) {
    app.write_burst = static_cast<double>(*burst);
  }
  bool audio = false;
  if (!(*obj)["replyAsAudio"].get(audio)) app.reply_as_audio = audio;
  app.persona_name = StringField(*obj, "personaName");
  app.persona_tone = StringField(*obj, "personaTone");
  app.persona_greeting = StringField(*obj, "personaGreeting");
  app.preferred_terms = StringField(*obj, "preferredTerms");
  app.blocked_terms = StringField(*obj, "blockedTerms");
  if (!HexDecode(StringField(*obj, "secretSalt"), &app.secret_salt) ||
      !HexDecode(StringField(*obj, "secretHash"), &app.secret_hash)) {
    return Corruption("app " + std::string(app_id) + " has a malformed secret hash");
  }
  return std::optional<AppRecord>(std::move(app));
}

}  // namespace voxbase
