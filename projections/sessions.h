// Sessions table: short-lived browser tokens, keyed app id | SHA-256(token); only hashes are
// stored. SessionsView is thread-safe; the store must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct SessionRecord {
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

inline constexpr char kSessionRowVersion = 1;
std::string SessionTokenKey(std::string_view app_id, std::string_view token_hash);
std::string EncodeSessionRow(const SessionRecord& session);

class SessionsView {
 public:
  explicit SessionsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<SessionRecord>> Find(std::string_view app_id,
                                            std::string_view token_hash) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
