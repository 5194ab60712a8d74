// Insights table: the analytics the folds keep, as rows of named integer counters. All of an
// app's rows sit under its app id in the insights family:
//
//   app id | "YYYY-MM-DD"                 a local day in the app's time zone: everything counted
//   app id | 'h' | be64(hour start)       a UTC hour: the counters the overview reads
//   app id | 'm' | be64(minute start)     a minute: the same counters
//   app id | 't'                          the overview's counters over all time
//   app id | 'a'                          every counter over all time (what /metrics shows)
//   app id | 'i' | be64(time) | entity    one entity's overview counters, for the partial first
//                                         minute of a window (time index)
//   app id | 'z'                          the app's IANA time zone, when it is not UTC
//
// A week or a month is the sum of its days; an overview window is the sum of its whole hours, the
// whole minutes of its first, partial hour and the time index of its first, partial minute, so
// its cost grows with its length in hours (plus at most 59 minutes and one minute's entities),
// not with the number of rows. Percentiles come from log-bucket histograms kept as counters
// (DDSketch's mapping, 1 % relative accuracy), which add like every other counter. An entity
// whose state changes (a conversation resolved, a handoff claimed) moves by subtracting what it
// counted and adding what it counts now, at the time it belongs to (a conversation's start).
// Counter rows are written as merge operands of deltas (StoreBatch::Merge), so a fold never reads
// nor rewrites a whole row: the app's day row is touched by every event of its day.
// Written by folds only, with times from events (never a clock). Views are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"
#include "schemas/time_zone.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr char kInsightRowVersion = 2;

using InsightCounters = std::map<std::string, int64_t, std::less<>>;

// Histograms kept in counters: <name>.n and <name>.sum, <name>.z for zeros, and <name>.<i> for
// values in (γ^(i-1), γ^i] with γ = 1.01/0.99.
void AddSample(InsightCounters& counters, std::string_view histogram, int64_t value);
// The nearest-rank q-quantile (0 < q ≤ 1), within 1 % of the true value; nullopt when empty.
std::optional<double> Quantile(const InsightCounters& counters, std::string_view histogram,
                               double q);
// A histogram's buckets as (upper bound, count), in order: γ^i for bucket i, 0 for zeros.
std::vector<std::pair<double, int64_t>> HistogramBuckets(const InsightCounters& counters,
                                                         std::string_view histogram);
int64_t Counter(const InsightCounters& counters, std::string_view name);
// "group.name": how counters are named (conversations.status + resolved).
std::string CounterName(std::string_view group, std::string_view name);
// `into` += sign · `add`; counters that reach 0 are dropped.
void AddCounters(InsightCounters& into, const InsightCounters& add, int sign = 1);

// The insights family's MergeFunction (storage/store.h): a row is the sum of its operands, each a
// row of counter deltas; counters that reach 0 are dropped.
bool MergeInsightCounters(std::optional<std::string_view> existing,
                          const std::vector<std::string_view>& operands, std::string* out);

// The app's time zone as the folds last recorded it (UTC when none was set).
Result<TimeZone> InsightZone(StoreBatch& batch, std::string_view app_id);
// Records the app's zone; `zone` must be one TimeZone::Find knows.
void SetInsightZone(StoreBatch& batch, std::string_view app_id, std::string_view zone);

// Something that happened once on local date `day` ("YYYY-MM-DD", TimeZone::Day): its counters
// go into that day's row and all time.
void CountOnDay(StoreBatch& batch, std::string_view app_id, std::string_view day,
                const InsightCounters& counters);

// What an entity (a conversation, a handoff, a rating, a tool call, a gap) counts, and when.
struct EntityCounts {
  int64_t ts_ms = 0;
  InsightCounters counters;
};
// Moves an entity from what it counted (`before`) to what it counts now (`after`), in its day,
// its hour, all time and the time index. `entity` names it in the index (a kind letter and id).
void MoveEntity(StoreBatch& batch, std::string_view app_id, const TimeZone& zone,
                std::string_view entity, const std::optional<EntityCounts>& before,
                const std::optional<EntityCounts>& after);

class InsightsView {
 public:
  explicit InsightsView(const ProjectionStore& store) : store_(store) {}
  Result<TimeZone> Zone(std::string_view app_id) const;
  // Each day row from local date `first` up to (not including) `end`, in date order.
  Status ForEachDay(
      std::string_view app_id, std::string_view first, std::string_view end,
      const std::function<void(std::string_view day, const InsightCounters&)>& fn) const;
  // Every counter over all time.
  Result<InsightCounters> AllTime(std::string_view app_id) const;
  // The overview counters of entities whose time is at or after `since_ms`; all time when none.
  Result<InsightCounters> Window(std::string_view app_id, std::optional<int64_t> since_ms) const;

 private:
  // The counters of the row at `key`; none when it is absent.
  Result<InsightCounters> Row(const std::string& key) const;

  const ProjectionStore& store_;
};

}  // namespace voxbase
