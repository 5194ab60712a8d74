// csatRatings table: app id | session id → the session's rating (a later one replaces it).
// CsatView is thread-safe; the store must outlive it.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct CsatRow {
  std::string session_id;
  int64_t rating = 0;  // 1..5
  std::string comment;
  int64_t rated_at = 0;

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<CsatRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

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
