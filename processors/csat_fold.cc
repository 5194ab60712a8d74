// csat.rated: the session's rating, replacing any earlier one.
#include "processors/fold.h"
#include "projections/csat.h"
#include "projections/keys.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

Status FoldCsatRated(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view session, comment;
  int64_t rating = 0;
  if (p["sessionId"].get(session) || p["rating"].get(rating) || p["comment"].get(comment)) {
    return BadPayload(c.event, "a rating lacks a field");
  }
  CsatRow row{std::string(session), rating, std::string(comment), c.event.ts_ms};
  c.batch.Put(Family(Table::kCsatRatings), CsatKey(c.event.app_id, session), row.Encode());
  return Status::Ok();
}

}  // namespace

void RegisterCsatFolds(FoldTable& folds) { folds.On(EventType::kCsatRated, &FoldCsatRated); }

}  // namespace voxbase
