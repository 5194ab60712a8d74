#include "projections/session_log.h"

namespace voxbase {

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

Result<Page> SessionLogView::List(std::string_view app_id, std::string_view session_id,
                                  size_t limit, std::string_view cursor) const {
  return ScanPage(store_, family_, app_id, SessionLogPrefix(app_id, session_id), limit, cursor,
                  StoredRow(kSessionLogRowVersion), SIZE_MAX);
}

}  // namespace voxbase
