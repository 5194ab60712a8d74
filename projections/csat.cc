#include "projections/csat.h"

#include "projections/keys.h"
#include "projections/rows.h"
#include "projections/tables.h"

namespace voxbase {

std::string CsatKey(std::string_view app_id, std::string_view session_id) {
  return std::string(app_id).append(session_id);
}

Result<std::optional<std::string>> CsatView::Get(std::string_view app_id,
                                                 std::string_view session_id) const {
  return GetStoredJson(store_, Family(Table::kCsatRatings), CsatKey(app_id, session_id),
                       kCsatRowVersion);
}

}  // namespace voxbase
