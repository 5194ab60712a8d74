#include "projections/experiments.h"

#include <algorithm>

#include "projections/row_codec.h"
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

// A variant as configured, and with what was counted for it.
constexpr auto kVariantConfigFields = std::make_tuple(Required(Col("id", &VariantRow::id)),
                                                      Required(Col("weight", &VariantRow::weight)),
                                                      RawCol("config", &VariantRow::config_json));
constexpr auto kVariantFields = std::tuple_cat(
    kVariantConfigFields, std::make_tuple(Col("exposures", &VariantRow::exposures),
                                          Col("resolved", &VariantRow::resolved),
                                          Col("handedOff", &VariantRow::handed_off),
                                          Col("csatSum", &VariantRow::csat_sum),
                                          Col("csatCount", &VariantRow::csat_count)));

template <typename VariantFields>
constexpr auto ExperimentFields(VariantFields variants) {
  return std::make_tuple(Required(Col("experimentId", &ExperimentRow::experiment_id)),
                         Col("name", &ExperimentRow::name), Col("status", &ExperimentRow::status),
                         Required(RowsCol("variants", &ExperimentRow::variants, variants)),
                         Col("createdAt", &ExperimentRow::created_at),
                         Col("updatedAt", &ExperimentRow::updated_at));
}
constexpr auto kExperimentFields = ExperimentFields(kVariantFields);

constexpr auto kExposureFields = std::make_tuple(
    Col("experimentId", &ExposureRow::experiment_id), Col("sessionId", &ExposureRow::session_id),
    Required(Col("variantId", &ExposureRow::variant_id)), Col("eventId", &ExposureRow::event_id),
    Col("assignedAt", &ExposureRow::assigned_at),
    Col("countedResolved", &ExposureRow::counted_resolved),
    Col("countedHandedOff", &ExposureRow::counted_handed_off),
    Col("countedRating", &ExposureRow::counted_rating));

std::string ExperimentRow::ToJson(bool with_results) const {
  return with_results ? RowJson(*this, kExperimentFields)
                      : RowJson(*this, ExperimentFields(kVariantConfigFields));
}

Result<ExperimentRow> ExperimentRow::Decode(simdjson::dom::parser& parser,
                                            std::string_view stored) {
  return DecodeRow<ExperimentRow>(parser, stored, kVersion, kExperimentFields, "experiment");
}

std::string ExposureRow::ToJson() const { return RowJson(*this, kExposureFields); }

Result<ExposureRow> ExposureRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<ExposureRow>(parser, stored, kVersion, kExposureFields, "exposure");
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
