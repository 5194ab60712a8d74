#include "projections/keys.h"

#include <limits>

namespace voxbase {

void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string SessionLogPrefix(std::string_view app_id, std::string_view session_id) {
  std::string key;
  key.reserve(app_id.size() + session_id.size() + 1);
  key.append(app_id).append(session_id).push_back('\0');
  return key;
}

std::string SessionLogKey(std::string_view app_id, std::string_view session_id, int64_t time_ms,
                          int64_t log_offset, uint32_t index) {
  std::string key = SessionLogPrefix(app_id, session_id);
  // Times before 1970 are refused at ingest, so the cast keeps order.
  AppendBigEndian64(&key, static_cast<uint64_t>(time_ms));
  AppendBigEndian64(&key, static_cast<uint64_t>(log_offset));
  AppendBigEndian32(&key, index);
  return key;
}

std::string ConversationKey(std::string_view app_id, std::string_view session_id) {
  std::string key(app_id);
  key.append(session_id);
  return key;
}

std::string ConversationsByStartPrefix(std::string_view app_id) {
  std::string key(app_id);
  key.push_back('C');
  return key;
}

std::string ConversationByStartKey(std::string_view app_id, int64_t started_at,
                                   std::string_view session_id) {
  std::string key = ConversationsByStartPrefix(app_id);
  AppendBigEndian64(&key, static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - started_at));
  key.append(session_id);
  return key;
}

std::string SessionTokenKey(std::string_view app_id, std::string_view token_hash) {
  std::string key(app_id);
  key.append(token_hash);
  return key;
}

std::string EncodeValue(std::string_view json) {
  std::string value;
  value.reserve(json.size() + 1);
  value.push_back(kValueVersion);
  value.append(json);
  return value;
}

Result<std::string_view> DecodeValue(std::string_view stored) {
  if (stored.empty() || stored[0] != kValueVersion) {
    return Corruption("stored value has unknown version byte");
  }
  return stored.substr(1);
}

}  // namespace voxbase
