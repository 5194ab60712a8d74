// persona.updated: the persona fields of the app row, each one named replaced ("" clears it).
// The persona's blocked terms are an output guardrail, so the rule-set version moves too.
#include "processors/fold.h"
#include "processors/guardrail_version.h"
#include "projections/apps.h"
#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

Status FoldPersonaUpdated(const FoldContext& c) {
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kApps), c.event.app_id, &stored);
  if (!found.ok()) return found.status();
  if (!*found) return Status::Ok();  // no such app: nothing to change
  Result<simdjson::dom::object> row = ParseStoredRow(c.row_parser, stored, kAppRowVersion);
  if (!row.ok()) return row.status();
  JsonWriter w;
  w.BeginObject();
  for (auto field : *row) {
    bool persona = false;
    for (std::string_view name : kPersonaFields) persona = persona || field.key == name;
    if (!persona) w.RawField(field.key, simdjson::minify(field.value));
  }
  for (std::string_view name : kPersonaFields) {
    std::string_view value;
    if (!c.event.payload[name].get(value) || !(*row)[name].get(value)) w.Field(name, value);
  }
  w.EndObject();
  c.batch.Put(Family(Table::kApps), c.event.app_id, EncodeValue(w.view(), kAppRowVersion));
  return BumpGuardrailVersion(c);
}

}  // namespace

void RegisterPersonaFolds(FoldTable& folds) {
  folds.On(EventType::kPersonaUpdated, &FoldPersonaUpdated);
}

}  // namespace voxbase
