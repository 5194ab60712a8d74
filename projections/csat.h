// csatRatings table: app id | session id → the session's rating (a later one replaces it).
// CsatView is thread-safe; the store must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr char kCsatRowVersion = 1;
std::string CsatKey(std::string_view app_id, std::string_view session_id);

class CsatView {
 public:
  explicit CsatView(const ProjectionStore& store) : store_(store) {}
  // The stored JSON of a session's rating.
  Result<std::optional<std::string>> Get(std::string_view app_id,
                                         std::string_view session_id) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
