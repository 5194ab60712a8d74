#include "projections/insights.h"

#include <map>

#include "projections/keys.h"
#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/clock.h"
#include "schemas/json_writer.h"

namespace voxbase {

std::string InsightKey(std::string_view app_id, int64_t event_ts_ms) {
  std::string key(app_id);
  key.append(FormatDay(event_ts_ms));
  return key;
}

Status IncrementDailyCounter(StoreBatch& batch, std::string_view app_id, int64_t event_ts_ms,
                             std::string_view group, std::string_view name) {
  const std::string key = InsightKey(app_id, event_ts_ms);
  std::map<std::string, std::map<std::string, int64_t>> counters;
  std::string stored;
  Result<bool> found = batch.Get(Family(Table::kInsights), key, &stored);
  if (!found.ok()) return found.status();
  if (*found) {
    thread_local simdjson::dom::parser parser;
    Result<simdjson::dom::object> row = ParseStoredRow(parser, stored, kInsightRowVersion);
    if (!row.ok()) return row.status();
    simdjson::dom::object groups;
    if ((*row)["counters"].get(groups)) return Corruption("stored insight row is malformed");
    for (auto g : groups) {
      simdjson::dom::object values;
      if (g.value.get(values)) return Corruption("stored insight row is malformed");
      for (auto v : values) {
        int64_t n = 0;
        if (v.value.get(n)) return Corruption("stored insight row is malformed");
        counters[std::string(g.key)][std::string(v.key)] = n;
      }
    }
  }
  ++counters[std::string(group)][std::string(name)];
  JsonWriter w;
  w.BeginObject().Field("date", FormatDay(event_ts_ms)).Key("counters").BeginObject();
  for (const auto& [g, values] : counters) {
    w.Key(g).BeginObject();
    for (const auto& [n, count] : values) w.Field(n, count);
    w.EndObject();
  }
  w.EndObject().EndObject();
  batch.Put(Family(Table::kInsights), key, EncodeValue(w.view(), kInsightRowVersion));
  return Status::Ok();
}

Result<std::string> InsightsView::Day(std::string_view app_id, int64_t ts_ms) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kInsights), InsightKey(app_id, ts_ms), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::string();
  Result<std::string_view> json = DecodeValue(stored, kInsightRowVersion);
  if (!json.ok()) return json.status();
  return std::string(*json);
}

}  // namespace voxbase
