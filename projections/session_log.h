// Session-log tables (messages, telemetry events): one row per item, in a session's time order:
//   app id | session id | NUL | be64(time) | be64(log offset) | be32(index in event)
// Rows are stored as ingest wrote them. SessionLogView is thread-safe; the store must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr char kSessionLogRowVersion = 1;

std::string SessionLogPrefix(std::string_view app_id, std::string_view session_id);
std::string SessionLogKey(std::string_view app_id, std::string_view session_id, int64_t time_ms,
                          int64_t log_offset, uint32_t index);

class SessionLogView {
 public:
  SessionLogView(const ProjectionStore& store, int family) : store_(store), family_(family) {}
  Result<Page> List(std::string_view app_id, std::string_view session_id, size_t limit,
                    std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
  int family_;
};

}  // namespace voxbase
