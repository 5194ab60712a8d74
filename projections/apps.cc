#include "projections/apps.h"

#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {

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
  bool audio = false;
  if (!(*obj)["replyAsAudio"].get(audio)) app.reply_as_audio = audio;
  if (!HexDecode(StringField(*obj, "secretSalt"), &app.secret_salt) ||
      !HexDecode(StringField(*obj, "secretHash"), &app.secret_hash)) {
    return Corruption("app " + std::string(app_id) + " has a malformed secret hash");
  }
  return std::optional<AppRecord>(std::move(app));
}

}  // namespace voxbase
