#include "projections/tables.h"

#include "projections/insights.h"
#include "schemas/ids.h"

namespace voxbase {

const std::vector<std::string>& FamilyNames() {
  static const std::vector<std::string> kNames = {
#define VOXBASE_TABLE_NAME(name, family) family,
      VOXBASE_TABLES(VOXBASE_TABLE_NAME)
#undef VOXBASE_TABLE_NAME
  };
  return kNames;
}

StoreOptions ProjectionStoreOptions(std::string path) {
  StoreOptions options;
  options.path = std::move(path);
  options.families = FamilyNames();
  // Session log rows (session_log.h): app id (20 bytes) | session id | NUL | run, late item or
  // head. Runs (a batch's items, kilobytes) are never changed once written: kept apart from the
  // keys, compaction does not copy them again at every level.
  for (Table table : {Table::kMessages, Table::kEvents}) {
    options.append_ordered.push_back({Family(table), kAppIdLength, '\0', 1024});
  }
  // Every event looks its id up here, and nearly always misses.
  options.point_lookup_families.push_back(Family(Table::kAppliedEvents));
  // Analytics counters are written as deltas and summed by RocksDB (projections/insights.h).
  options.merged.push_back(
      {Family(Table::kInsights), "voxbase.insightCounters", &MergeInsightCounters});
  return options;
}

}  // namespace voxbase
