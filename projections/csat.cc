#include "projections/csat.h"

#include "projections/keys.h"
#include "projections/row_codec.h"
#include "projections/rows.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

constexpr auto kCsatFields = std::make_tuple(
    Required(Col("sessionId", &CsatRow::session_id)), Required(Col("rating", &CsatRow::rating)),
    Col("comment", &CsatRow::comment), Col("ratedAt", &CsatRow::rated_at));

}  // namespace

std::string CsatRow::ToJson() const { return RowJson(*this, kCsatFields); }

Result<CsatRow> CsatRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<CsatRow>(parser, stored, kVersion, kCsatFields, "rating");
}

std::string CsatKey(std::string_view app_id, std::string_view session_id) {
  return std::string(app_id).append(session_id);
}

Result<std::optional<std::string>> CsatView::Get(std::string_view app_id,
                                                 std::string_view session_id) const {
  return GetStoredJson(store_, Family(Table::kCsatRatings), CsatKey(app_id, session_id),
                       CsatRow::kVersion);
}

}  // namespace voxbase
