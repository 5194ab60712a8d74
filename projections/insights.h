// Insights table: one row per app and UTC day (app id | "YYYY-MM-DD"), counters the folds keep
// as events arrive — so far the browser tokens minted, by provider. Written by the folds only;
// the day comes from the event's time, never a clock.
#pragma once

#include <string>
#include <string_view>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr char kInsightRowVersion = 1;

std::string InsightKey(std::string_view app_id, int64_t event_ts_ms);

// Adds one to counters[group][name] in the day's row, inside `batch`.
Status IncrementDailyCounter(StoreBatch& batch, std::string_view app_id, int64_t event_ts_ms,
                             std::string_view group, std::string_view name);

class InsightsView {
 public:
  explicit InsightsView(const ProjectionStore& store) : store_(store) {}
  // The day's row as JSON, or "" when there is none.
  Result<std::string> Day(std::string_view app_id, int64_t ts_ms) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
