#include "projections/csat.h"

#include "projections/keys.h"
#include "projections/tables.h"

namespace voxbase {

std::string CsatKey(std::string_view app_id, std::string_view session_id) {
  return std::string(app_id).append(session_id);
}

Result<std::optional<std::string>> CsatView::Get(std::string_view app_id,
                                                 std::string_view session_id) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kCsatRatings), CsatKey(app_id, session_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  Result<std::string_view> json = DecodeValue(stored, kCsatRowVersion);
  if (!json.ok()) return json.status();
  return std::optional<std::string>(std::string(*json));
}

}  // namespace voxbase
