// Experiments: created running, stopped or restarted, and sessions assigned. The first assignment
// of a session records its exposure (a racing second one changes nothing), and counts it — with
// the session's conversation and rating as they already stand — in its variant's results. After
// that the exposure follows the session's conversation and rating rows: each change moves its
// variant's counts once (the exposure keeps what it counted), never by scanning exposures.
#include <functional>

#include "processors/fold.h"
#include "projections/conversations.h"
#include "projections/csat.h"
#include "projections/experiments.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

Result<std::optional<ExperimentRow>> LoadExperiment(const FoldContext& c, std::string_view id) {
  std::string stored;
  Result<bool> found =
      c.batch.Get(Family(Table::kExperiments), ExperimentKey(c.event.app_id, id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ExperimentRow>();
  Result<ExperimentRow> row = ExperimentRow::Decode(c.row_parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ExperimentRow>(std::move(*row));
}

void SaveExperiment(const FoldContext& c, const ExperimentRow& row) {
  c.batch.Put(Family(Table::kExperiments), ExperimentKey(c.event.app_id, row.experiment_id),
              row.Encode());
}

// The experiments a session is exposed to.
Result<std::vector<std::string>> SessionExperiments(const FoldContext& c,
                                                    std::string_view session_id) {
  std::string stored;
  std::vector<std::string> ids;
  Result<bool> found = c.batch.Get(Family(Table::kIndexes),
                                   ExposuresBySessionKey(c.event.app_id, session_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return ids;
  simdjson::dom::array list;
  if (c.row_parser.parse(stored).get(list)) return Corruption("exposure index is malformed");
  for (simdjson::dom::element e : list) {
    std::string_view id;
    if (e.get(id)) return Corruption("exposure index is malformed");
    ids.emplace_back(id);
  }
  return ids;
}

// Applies `change` to the session's exposure in each of `experiments`, and the difference it made
// to the counts of its variant; `change` says whether it made one.
Status ForEachExposure(const FoldContext& c, std::string_view session_id,
                       const std::vector<std::string>& experiments,
                       const std::function<bool(ExposureRow&, VariantRow&)>& change) {
  for (const std::string& id : experiments) {
    std::string stored;
    const std::string key = ExposureKey(c.event.app_id, id, session_id);
    Result<bool> found = c.batch.Get(Family(Table::kExperimentExposures), key, &stored);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    Result<ExposureRow> exposure = ExposureRow::Decode(c.row_parser, stored);
    if (!exposure.ok()) return exposure.status();
    Result<std::optional<ExperimentRow>> experiment = LoadExperiment(c, id);
    if (!experiment.ok()) return experiment.status();
    if (!experiment->has_value()) continue;
    VariantRow* variant = (*experiment)->Variant(exposure->variant_id);
    if (variant == nullptr) continue;
    if (!change(*exposure, *variant)) continue;
    c.batch.Put(Family(Table::kExperimentExposures), key, exposure->Encode());
    SaveExperiment(c, **experiment);
  }
  return Status::Ok();
}

// Counts a conversation's status; true when that changed the counts.
bool CountStatus(ExposureRow& x, VariantRow& v, std::string_view status) {
  bool changed = false;
  const bool resolved = status == "resolved";
  if (resolved != x.counted_resolved) {
    v.resolved += resolved ? 1 : -1;
    x.counted_resolved = resolved;
    changed = true;
  }
  if (status == "handed_off" && !x.counted_handed_off) {
    ++v.handed_off;
    x.counted_handed_off = true;
    changed = true;
  }
  return changed;
}

// Counts a conversation as it stands: handed off once ever, resolved while it is.
// What the counts read of a conversation: its status, and whether it was ever handed off.
struct Counted {
  std::string status;
  bool handed_off = false;
  bool operator==(const Counted&) const = default;
};

Result<Counted> ReadCounted(const FoldContext& c, std::string_view stored) {
  Result<simdjson::dom::object> row =
      ParseStoredRow(c.row_parser, stored, ConversationRow::kVersion);
  if (!row.ok()) return row.status();
  std::string_view status;
  if ((*row)["status"].get(status)) return Corruption("a stored conversation has no status");
  int64_t unused = 0;
  return Counted{std::string(status), !(*row)["handedOffAt"].get(unused)};
}

// Counts a conversation as it stands: handed off once ever, resolved while it is.
bool CountConversation(ExposureRow& x, VariantRow& v, const Counted& conversation) {
  const bool handed_off = conversation.handed_off && CountStatus(x, v, "handed_off");
  return CountStatus(x, v, conversation.status) || handed_off;
}

bool CountRating(ExposureRow& x, VariantRow& v, int64_t rating) {
  if (x.counted_rating == rating) return false;
  if (x.counted_rating == 0) {
    ++v.csat_count;
  } else {
    v.csat_sum -= x.counted_rating;
  }
  v.csat_sum += rating;
  x.counted_rating = rating;
  return true;
}

Status FoldExperimentCreated(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  ExperimentRow row;
  std::string_view id, name;
  simdjson::dom::array variants;
  if (p["experimentId"].get(id) || p["name"].get(name) || p["variants"].get(variants)) {
    return BadPayload(c.event, "an experiment lacks a field");
  }
  row.experiment_id = std::string(id);
  row.name = std::string(name);
  for (simdjson::dom::object v : variants) {
    VariantRow variant;
    std::string_view variant_id;
    simdjson::dom::element config;
    if (v["id"].get(variant_id) || v["weight"].get(variant.weight) || v["config"].get(config)) {
      return BadPayload(c.event, "a variant lacks a field");
    }
    variant.id = std::string(variant_id);
    variant.config_json = simdjson::minify(config);
    row.variants.push_back(std::move(variant));
  }
  row.created_at = row.updated_at = c.event.ts_ms;
  SaveExperiment(c, row);
  return Status::Ok();
}

Status FoldExperimentUpdated(const FoldContext& c) {
  std::string_view id, status;
  if (c.event.payload["experimentId"].get(id) || c.event.payload["status"].get(status)) {
    return BadPayload(c.event, "no experimentId or status");
  }
  Result<std::optional<ExperimentRow>> row = LoadExperiment(c, id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return Status::Ok();
  (*row)->status = std::string(status);
  (*row)->updated_at = c.event.ts_ms;
  SaveExperiment(c, **row);
  return Status::Ok();
}

Status FoldExperimentAssigned(const FoldContext& c) {
  std::string_view id, session, variant_id;
  const simdjson::dom::object& p = c.event.payload;
  if (p["experimentId"].get(id) || p["sessionId"].get(session) || p["variantId"].get(variant_id)) {
    return BadPayload(c.event, "an assignment lacks a field");
  }
  Result<std::optional<ExperimentRow>> experiment = LoadExperiment(c, id);
  if (!experiment.ok()) return experiment.status();
  if (!experiment->has_value() || (*experiment)->status != "running") return Status::Ok();
  VariantRow* variant = (*experiment)->Variant(variant_id);
  if (variant == nullptr) return BadPayload(c.event, "no such variant");
  const std::string key = ExposureKey(c.event.app_id, id, session);
  std::string stored;
  Result<bool> exposed = c.batch.Get(Family(Table::kExperimentExposures), key, &stored);
  if (!exposed.ok()) return exposed.status();
  if (*exposed) return Status::Ok();  // sticky: the first assignment stands

  ExposureRow exposure;
  exposure.experiment_id = std::string(id);
  exposure.session_id = std::string(session);
  exposure.variant_id = std::string(variant_id);
  exposure.event_id = std::string(c.event.id);
  exposure.assigned_at = c.event.ts_ms;
  ++variant->exposures;
  // The session's conversation and rating as they already stand count at once.
  std::string conversation;
  Result<bool> has_conversation = c.batch.Get(
      Family(Table::kConversations), ConversationKey(c.event.app_id, session), &conversation);
  if (!has_conversation.ok()) return has_conversation.status();
  if (*has_conversation) {
    Result<Counted> counted = ReadCounted(c, conversation);
    if (!counted.ok()) return counted.status();
    CountConversation(exposure, *variant, *counted);
  }
  std::string rating;
  Result<bool> has_rating =
      c.batch.Get(Family(Table::kCsatRatings), CsatKey(c.event.app_id, session), &rating);
  if (!has_rating.ok()) return has_rating.status();
  if (*has_rating) {
    Result<CsatRow> row = CsatRow::Decode(c.row_parser, rating);
    if (!row.ok()) return row.status();
    CountRating(exposure, *variant, row->rating);
  }
  c.batch.Put(Family(Table::kExperimentExposures), key, exposure.Encode());
  SaveExperiment(c, **experiment);

  Result<std::vector<std::string>> ids = SessionExperiments(c, session);
  if (!ids.ok()) return ids.status();
  ids->push_back(std::string(id));
  JsonWriter list;
  list.BeginArray();
  for (const std::string& e : *ids) list.String(e);
  list.EndArray();
  c.batch.Put(Family(Table::kIndexes), ExposuresBySessionKey(c.event.app_id, session), list.view());
  return Status::Ok();
}

// Both tables key rows by app id then session id, and the rows an event changes are its app's.
std::string_view SessionOf(const FoldContext& c, const RowChange& change) {
  return std::string_view(change.key).substr(c.event.app_id.size());
}

// Most sessions are exposed to no experiment: their rows are never decoded here.
Status FollowConversation(const FoldContext& c, const RowChange& change) {
  const std::string_view session = SessionOf(c, change);
  Result<std::vector<std::string>> experiments = SessionExperiments(c, session);
  if (!experiments.ok()) return experiments.status();
  if (experiments->empty() || !change.after) return Status::Ok();
  Result<Counted> after = ReadCounted(c, *change.after);
  if (!after.ok()) return after.status();
  if (change.before) {  // most saves change the messages, not what is counted
    Result<Counted> before = ReadCounted(c, *change.before);
    if (!before.ok()) return before.status();
    if (*before == *after) return Status::Ok();
  }
  return ForEachExposure(c, session, *experiments, [&after](ExposureRow& x, VariantRow& v) {
    return CountConversation(x, v, *after);
  });
}

Status FollowRating(const FoldContext& c, const RowChange& change) {
  const std::string_view session = SessionOf(c, change);
  Result<std::vector<std::string>> experiments = SessionExperiments(c, session);
  if (!experiments.ok()) return experiments.status();
  if (experiments->empty() || !change.after) return Status::Ok();
  int64_t before = 0;
  if (change.before) {
    Result<CsatRow> row = CsatRow::Decode(c.row_parser, *change.before);
    if (!row.ok()) return row.status();
    before = row->rating;
  }
  Result<CsatRow> row = CsatRow::Decode(c.row_parser, *change.after);
  if (!row.ok()) return row.status();
  const int64_t rating = row->rating;
  if (rating == before) return Status::Ok();
  return ForEachExposure(c, session, *experiments, [rating](ExposureRow& x, VariantRow& v) {
    return CountRating(x, v, rating);
  });
}

}  // namespace

void RegisterExperimentFolds(FoldTable& folds) {
  folds.On(EventType::kExperimentCreated, &FoldExperimentCreated);
  folds.On(EventType::kExperimentUpdated, &FoldExperimentUpdated);
  folds.On(EventType::kExperimentAssigned, &FoldExperimentAssigned);
  folds.OnRowChanged(Table::kConversations, &FollowConversation);
  folds.OnRowChanged(Table::kCsatRatings, &FollowRating);
}

}  // namespace voxbase
