#include "projections/read_models.h"

#include <simdjson.h>

#include "projections/keys.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;

Result<simdjson::dom::object> ParseStored(simdjson::dom::parser& parser, std::string_view stored) {
  Result<std::string_view> json = DecodeValue(stored);
  if (!json.ok()) return json.status();
  simdjson::dom::object obj;
  if (parser.parse(json->data(), json->size()).get(obj)) {
    return Corruption("stored row is not a JSON object");
  }
  return obj;
}

std::string StringField(simdjson::dom::object obj, std::string_view name) {
  std::string_view v;
  if (obj[name].get(v)) return {};
  return std::string(v);
}

int64_t IntField(simdjson::dom::object obj, std::string_view name) {
  int64_t v = 0;
  if (obj[name].get(v)) return 0;
  return v;
}

// Cursors are the hex of the key after the app id, so a cursor cannot point into another app.
std::string MakeCursor(std::string_view key, std::string_view app_id) {
  return HexEncode(key.substr(app_id.size()));
}

Result<std::string> CursorKey(std::string_view cursor, std::string_view app_id,
                              std::string_view required_prefix) {
  std::string suffix;
  if (!HexDecode(cursor, &suffix)) return InvalidArgument("cursor is not valid");
  std::string key(app_id);
  key.append(suffix);
  if (!key.starts_with(required_prefix)) return InvalidArgument("cursor is not valid");
  return key;
}

}  // namespace

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
  Result<simdjson::dom::object> obj = ParseStored(parser, stored);
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

Result<std::optional<SessionRecord>> SessionsView::Find(std::string_view app_id,
                                                        std::string_view token_hash) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kSessions), SessionTokenKey(app_id, token_hash), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<SessionRecord>();
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> obj = ParseStored(parser, stored);
  if (!obj.ok()) return obj.status();
  return std::optional<SessionRecord>(
      SessionRecord{IntField(*obj, "createdAt"), IntField(*obj, "expiresAt")});
}

Result<std::optional<std::string>> ConversationsView::Get(std::string_view app_id,
                                                          std::string_view session_id) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kConversations), ConversationKey(app_id, session_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  Result<std::string_view> json = DecodeValue(stored);
  if (!json.ok()) return json.status();
  return std::optional<std::string>(std::string(*json));
}

Result<Page> ConversationsView::List(std::string_view app_id, std::string_view status, size_t limit,
                                     std::string_view cursor) const {
  const std::string prefix = ConversationsByStartPrefix(app_id);
  std::string start = prefix;
  if (!cursor.empty()) {
    Result<std::string> key = CursorKey(cursor, app_id, prefix);
    if (!key.ok()) return key.status();
    start = std::move(*key);
  }
  thread_local simdjson::dom::parser parser;
  Page page;
  auto it = store_.NewIterator(Family(Table::kIndexes));
  size_t scanned = 0;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (page.rows.size() == limit || ++scanned > kMaxScannedPerPage) {
      page.next_cursor = MakeCursor(it->key(), app_id);
      break;
    }
    std::string_view session_id = it->key().substr(prefix.size() + 8);
    Result<std::optional<std::string>> row = Get(app_id, session_id);
    if (!row.ok()) return row.status();
    if (!row->has_value()) continue;
    if (!status.empty()) {
      simdjson::dom::object obj;
      std::string_view row_status;
      if (parser.parse(**row).get(obj) || obj["status"].get(row_status) || row_status != status) {
        continue;
      }
    }
    page.rows.push_back(std::move(**row));
  }
  VOX_RETURN_IF_ERROR(it->status());
  return page;
}

Result<std::vector<std::string>> DeadLettersView::List(size_t limit) const {
  std::vector<std::string> rows;
  auto it = store_.NewIterator(Family(Table::kDeadLetters));
  for (it->SeekToFirst(); it->Valid() && rows.size() < limit; it->Next()) {
    Result<std::string_view> json = DecodeValue(it->value());
    if (!json.ok()) return json.status();
    rows.emplace_back(*json);
  }
  VOX_RETURN_IF_ERROR(it->status());
  return rows;
}

Result<Page> SessionLogView::List(std::string_view app_id, std::string_view session_id,
                                  size_t limit, std::string_view cursor) const {
  const std::string prefix = SessionLogPrefix(app_id, session_id);
  std::string start = prefix;
  if (!cursor.empty()) {
    Result<std::string> key = CursorKey(cursor, app_id, prefix);
    if (!key.ok()) return key.status();
    start = std::move(*key);
  }
  Page page;
  auto it = store_.NewIterator(family_);
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (page.rows.size() == limit) {
      page.next_cursor = MakeCursor(it->key(), app_id);
      break;
    }
    Result<std::string_view> json = DecodeValue(it->value());
    if (!json.ok()) return json.status();
    page.rows.emplace_back(*json);
  }
  VOX_RETURN_IF_ERROR(it->status());
  return page;
}

}  // namespace voxbase
