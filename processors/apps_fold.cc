// app.created: the first app to claim a slug keeps it; a later app.created for the same slug
// changes nothing (the API answers 409 when it sees its app did not land).
#include "processors/fold.h"
#include "projections/apps.h"
#include "projections/keys.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

Status FoldAppCreated(const FoldContext& c) {
  std::string_view slug;
  if (c.event.payload["slug"].get(slug) || slug.empty()) return BadPayload(c.event, "no slug");
  std::string owner;
  Result<bool> taken = c.batch.Get(Family(Table::kAppSlugs), slug, &owner);
  if (!taken.ok()) return taken.status();
  if (*taken) return Status::Ok();
  c.batch.Put(Family(Table::kAppSlugs), slug, c.event.app_id);
  c.batch.Put(Family(Table::kApps), c.event.app_id,
              EncodeValue(simdjson::minify(c.event.payload), kAppRowVersion));
  return Status::Ok();
}

}  // namespace

void RegisterAppFolds(FoldTable& folds) { folds.On(EventType::kAppCreated, &FoldAppCreated); }

}  // namespace voxbase
