#include "projections/experiments.h"

#include <algorithm>

#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {

const VariantRow* ExperimentRow::Variant(std::string_view id) const {
  for (const VariantRow& v : variants) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

VariantRow* ExperimentRow::Variant(std::string_view id) {
  for (VariantRow& v : variants) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

std::string ExperimentRow::ToJson(bool with_results) const {
  JsonWriter w;
  w.BeginObject()
      .Field("experimentId", experiment_id)
      .Field("name", name)
      .Field("status", status)
      .Key("variants")
      .BeginArray();
  for (const VariantRow& v : variants) {
    w.BeginObject().Field("id", v.id).Field("weight", v.weight).RawField("config", v.config_json);
    if (with_results) {
      w.Field("exposures", v.exposures)
          .Field("resolved", v.resolved)
          .Field("handedOff", v.handed_off)
          .Field("csatSum", v.csat_sum)
          .Field("csatCount", v.csat_count);
    }
    w.EndObject();
  }
  w.EndArray().Field("createdAt", created_at).Field("updatedAt", updated_at).EndObject();
  return w.str();
}

Result<ExperimentRow> ExperimentRow::Decode(simdjson::dom::parser& parser,
                                            std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  ExperimentRow e;
  e.experiment_id = StringField(*obj, "experimentId");
  e.name = StringField(*obj, "name");
  e.status = StringField(*obj, "status");
  e.created_at = IntField(*obj, "createdAt");
  e.updated_at = IntField(*obj, "updatedAt");
  simdjson::dom::array variants;
  if ((*obj)["variants"].get(variants)) return Corruption("stored experiment is malformed");
  for (simdjson::dom::object v : variants) {
    VariantRow row;
    row.id = StringField(v, "id");
    double weight = 0;
    if (v["weight"].get(weight)) return Corruption("stored experiment variant has no weight");
    row.weight = weight;
    simdjson::dom::element config;
    if (!v["config"].get(config)) row.config_json = simdjson::minify(config);
    row.exposures = IntField(v, "exposures");
    row.resolved = IntField(v, "resolved");
    row.handed_off = IntField(v, "handedOff");
    row.csat_sum = IntField(v, "csatSum");
    row.csat_count = IntField(v, "csatCount");
    e.variants.push_back(std::move(row));
  }
  return e;
}

std::string ExposureRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("experimentId", experiment_id)
      .Field("sessionId", session_id)
      .Field("variantId", variant_id)
      .Field("eventId", event_id)
      .Field("assignedAt", assigned_at)
      .Field("countedResolved", counted_resolved)
      .Field("countedHandedOff", counted_handed_off)
      .Field("countedRating", counted_rating)
      .EndObject();
  return w.str();
}

Result<ExposureRow> ExposureRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  ExposureRow x;
  x.experiment_id = StringField(*obj, "experimentId");
  x.session_id = StringField(*obj, "sessionId");
  x.variant_id = StringField(*obj, "variantId");
  x.event_id = StringField(*obj, "eventId");
  x.assigned_at = IntField(*obj, "assignedAt");
  bool b = false;
  if (!(*obj)["countedResolved"].get(b)) x.counted_resolved = b;
  if (!(*obj)["countedHandedOff"].get(b)) x.counted_handed_off = b;
  x.counted_rating = IntField(*obj, "countedRating");
  if (x.variant_id.empty()) return Corruption("stored exposure is malformed");
  return x;
}

std::string ExperimentKey(std::string_view app_id, std::string_view experiment_id) {
  return std::string(app_id).append(experiment_id);
}

std::string ExposureKey(std::string_view app_id, std::string_view experiment_id,
                        std::string_view session_id) {
  std::string key = ExperimentKey(app_id, experiment_id);
  key.push_back('\0');
  return key.append(session_id);
}

std::string ExposuresBySessionKey(std::string_view app_id, std::string_view session_id) {
  return IndexPrefix(app_id, IndexKind::kExposuresBySession).append(session_id);
}

Result<std::optional<ExperimentRow>> ExperimentsView::Get(std::string_view app_id,
                                                          std::string_view experiment_id) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kExperiments), ExperimentKey(app_id, experiment_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ExperimentRow>();
  thread_local simdjson::dom::parser parser;
  Result<ExperimentRow> row = ExperimentRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ExperimentRow>(std::move(*row));
}

Result<std::vector<ExperimentRow>> ExperimentsView::List(std::string_view app_id) const {
  thread_local simdjson::dom::parser parser;
  std::vector<ExperimentRow> out;
  auto it = store_.NewIterator(Family(Table::kExperiments));
  for (it->Seek(app_id); it->Valid() && it->key().starts_with(app_id); it->Next()) {
    Result<ExperimentRow> row = ExperimentRow::Decode(parser, it->value());
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  VOX_RETURN_IF_ERROR(it->status());
  std::stable_sort(out.begin(), out.end(), [](const ExperimentRow& a, const ExperimentRow& b) {
    return a.created_at < b.created_at;
  });
  return out;
}

Result<std::optional<ExposureRow>> ExperimentsView::Exposure(std::string_view app_id,
                                                             std::string_view experiment_id,
                                                             std::string_view session_id) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kExperimentExposures),
                                  ExposureKey(app_id, experiment_id, session_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ExposureRow>();
  thread_local simdjson::dom::parser parser;
  Result<ExposureRow> row = ExposureRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ExposureRow>(std::move(*row));
}

}  // namespace voxbase
