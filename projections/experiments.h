// experiments (app id | experiment id → ExperimentRow, with each variant's running counts) and
// experimentExposures (app id | experiment id | NUL | session id → ExposureRow); plus the
// experiments a session is exposed to (IndexKind::kExposuresBySession), so a conversation or a
// rating that arrives later finds the variants it counts for. The folds keep the counts, so the
// results never scan exposures. Views are thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct VariantRow {
  std::string id;
  double weight = 0;
  std::string config_json = "null";
  int64_t exposures = 0;
  int64_t resolved = 0;    // exposed sessions whose conversation is resolved
  int64_t handed_off = 0;  // exposed sessions whose conversation was ever handed off
  int64_t csat_sum = 0;
  int64_t csat_count = 0;
};

struct ExperimentRow {
  std::string experiment_id;
  std::string name;
  std::string status = "running";
  std::vector<VariantRow> variants;
  int64_t created_at = 0;
  int64_t updated_at = 0;

  const VariantRow* Variant(std::string_view id) const;
  VariantRow* Variant(std::string_view id);
  std::string ToJson(bool with_results) const;
  std::string Encode() const { return EncodeValue(ToJson(true), kVersion); }
  static Result<ExperimentRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

// What one session's exposure has been counted as, so a change is counted once.
struct ExposureRow {
  std::string experiment_id;
  std::string session_id;
  std::string variant_id;
  std::string event_id;  // the assignment that won (two may race)
  int64_t assigned_at = 0;
  bool counted_resolved = false;
  bool counted_handed_off = false;
  int64_t counted_rating = 0;  // 0: no rating counted

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<ExposureRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string ExperimentKey(std::string_view app_id, std::string_view experiment_id);
std::string ExposureKey(std::string_view app_id, std::string_view experiment_id,
                        std::string_view session_id);
std::string ExposuresBySessionKey(std::string_view app_id, std::string_view session_id);

class ExperimentsView {
 public:
  explicit ExperimentsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<ExperimentRow>> Get(std::string_view app_id,
                                           std::string_view experiment_id) const;
  // Every experiment of the app, in the order they were made.
  Result<std::vector<ExperimentRow>> List(std::string_view app_id) const;
  Result<std::optional<ExposureRow>> Exposure(std::string_view app_id,
                                              std::string_view experiment_id,
                                              std::string_view session_id) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
