#include "projections/insights.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "projections/keys.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr double kAccuracy = 0.01;
const double kGamma = (1 + kAccuracy) / (1 - kAccuracy);
const double kLogGamma = std::log(kGamma);

constexpr std::string_view kOverviewCounters[] = {
    "conversations.started",
    "conversations.resolved",
    "conversations.handedOff",
    "durationMs.sum",
    "durationMs.n",
    "csat.sum",
    "csat.n",
    "toolCalls.finished",
    "toolCalls.succeeded",
    "handoffs.created",
    "handoffs.pending",
    "gaps.open",
};

std::string HourKey(std::string_view app_id, int64_t hour_ms) {
  std::string key(app_id);
  key.push_back('h');
  AppendBigEndian64(&key, static_cast<uint64_t>(hour_ms));
  return key;
}

std::string MinuteKey(std::string_view app_id, int64_t minute_ms) {
  std::string key(app_id);
  key.push_back('m');
  AppendBigEndian64(&key, static_cast<uint64_t>(minute_ms));
  return key;
}

// All time: the overview's counters ('t', read by every overview without `since`) and every
// counter ('a', read by /metrics).
std::string TotalKey(std::string_view app_id) { return std::string(app_id) + "t"; }
std::string AllTimeKey(std::string_view app_id) { return std::string(app_id) + "a"; }

std::string EntryKey(std::string_view app_id, int64_t ts_ms, std::string_view entity) {
  std::string key(app_id);
  key.push_back('i');
  AppendBigEndian64(&key, static_cast<uint64_t>(ts_ms));
  key.append(entity);
  return key;
}

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;

// The start of the `unit` holding `ms`, and of the first whole one at or after it (ms ≥ 0).
int64_t Floor(int64_t ms, int64_t unit) { return ms / unit * unit; }
int64_t Ceil(int64_t ms, int64_t unit) { return Floor(ms + unit - 1, unit); }
int64_t HourOf(int64_t ms) { return Floor(ms, kHourMs); }

bool IsOverviewCounter(std::string_view name) {
  return std::find(std::begin(kOverviewCounters), std::end(kOverviewCounters), name) !=
         std::end(kOverviewCounters);
}

std::string InsightDayKey(std::string_view app_id, std::string_view day) {
  std::string key(app_id);
  key.append(day);
  return key;
}

std::string InsightZoneKey(std::string_view app_id) { return std::string(app_id) + "z"; }

// A row of `sign` · each counter.
std::string EncodeCounters(const InsightCounters& counters, int sign = 1) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [name, value] : counters) w.Field(name, sign * value);
  w.EndObject();
  return EncodeValue(w.view(), kInsightRowVersion);
}

// Adds a stored row's counters to `out`. Version 1 rows (before analytics: {"date", "counters":
// {group: {name: n}}}, minted tokens only) read as group.name counters.
Status DecodeCounters(std::string_view stored, InsightCounters& out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (!stored.empty() && stored[0] == 1) {
    Result<std::string_view> json = DecodeValue(stored, 1);
    if (!json.ok()) return json.status();
    simdjson::dom::object groups;
    if (parser.parse(json->data(), json->size()).get(object) || object["counters"].get(groups)) {
      return Corruption("a version 1 insights row is malformed");
    }
    for (auto group : groups) {
      simdjson::dom::object values;
      if (group.value.get(values)) return Corruption("a version 1 insights row is malformed");
      for (auto v : values) {
        int64_t n = 0;
        if (v.value.get(n)) return Corruption("a version 1 insights row is malformed");
        out[std::string(group.key) + "." + std::string(v.key)] += n;
      }
    }
    return Status::Ok();
  }
  Result<std::string_view> json = DecodeValue(stored, kInsightRowVersion);
  if (!json.ok()) return json.status();
  if (parser.parse(json->data(), json->size()).get(object)) {
    return Corruption("an insights row is not a JSON object");
  }
  for (auto field : object) {
    int64_t n = 0;
    if (field.value.get(n)) return Corruption("an insights counter is not an integer");
    auto it = out.try_emplace(std::string(field.key), 0).first;
    it->second += n;
    if (it->second == 0) out.erase(it);
  }
  return Status::Ok();
}

InsightCounters OverviewPart(const InsightCounters& counters) {
  InsightCounters out;
  for (const auto& [name, value] : counters) {
    if (IsOverviewCounter(name)) out.emplace(name, value);
  }
  return out;
}

// Adds `operand` (an encoded row of deltas) to each row of `keys`: merge operands, so no row is
// read nor rewritten here (MergeInsightCounters sums them in).
void AddToRows(StoreBatch& batch, std::initializer_list<std::string> keys,
               const std::string& operand) {
  for (const std::string& key : keys) batch.Merge(Family(Table::kInsights), key, operand);
}

// Adds sign · `counters` of an entity at `ts_ms` to its day, all time, and for the overview's
// counters to its hour, minute and its entry in the time index (whose row is the sum of what the
// entity counts there: empty once it has moved away).
void PlaceEntity(StoreBatch& batch, std::string_view app_id, const TimeZone& zone,
                 std::string_view entity, int64_t ts_ms, const InsightCounters& counters,
                 int sign) {
  if (counters.empty()) return;
  AddToRows(batch, {InsightDayKey(app_id, zone.Day(ts_ms)), AllTimeKey(app_id)},
            EncodeCounters(counters, sign));
  const InsightCounters overview = OverviewPart(counters);
  if (overview.empty()) return;
  AddToRows(batch,
            {TotalKey(app_id), HourKey(app_id, HourOf(ts_ms)),
             MinuteKey(app_id, Floor(ts_ms, kMinuteMs)), EntryKey(app_id, ts_ms, entity)},
            EncodeCounters(overview, sign));
}

}  // namespace

bool MergeInsightCounters(std::optional<std::string_view> existing,
                          const std::vector<std::string_view>& operands, std::string* out) {
  InsightCounters sum;
  if (existing && !DecodeCounters(*existing, sum).ok()) return false;
  for (std::string_view operand : operands) {
    if (!DecodeCounters(operand, sum).ok()) return false;
  }
  *out = EncodeCounters(sum);
  return true;
}

void AddSample(InsightCounters& counters, std::string_view histogram, int64_t value) {
  const std::string name(histogram);
  ++counters[name + ".n"];
  counters[name + ".sum"] += value;
  if (value <= 0) {
    ++counters[name + ".z"];
    return;
  }
  const auto bucket =
      static_cast<int64_t>(std::ceil(std::log(static_cast<double>(value)) / kLogGamma));
  ++counters[name + "." + std::to_string(bucket)];
}

namespace {

// A histogram's zero count and its (bucket index, count) pairs in index order.
int64_t ReadBuckets(const InsightCounters& counters, std::string_view histogram,
                    std::vector<std::pair<int64_t, int64_t>>& buckets) {
  const std::string prefix = std::string(histogram) + ".";
  int64_t zeros = 0;
  for (auto it = counters.lower_bound(prefix); it != counters.end(); ++it) {
    std::string_view name = it->first;
    if (name.substr(0, prefix.size()) != prefix) break;
    std::string_view rest = name.substr(prefix.size());
    if (rest == "z") {
      zeros = it->second;
      continue;
    }
    int64_t bucket = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), bucket);
    if (ec != std::errc() || end != rest.data() + rest.size()) continue;  // .n, .sum
    buckets.emplace_back(bucket, it->second);
  }
  std::sort(buckets.begin(), buckets.end());
  return zeros;
}

}  // namespace

std::vector<std::pair<double, int64_t>> HistogramBuckets(const InsightCounters& counters,
                                                         std::string_view histogram) {
  std::vector<std::pair<int64_t, int64_t>> buckets;
  const int64_t zeros = ReadBuckets(counters, histogram, buckets);
  std::vector<std::pair<double, int64_t>> out;
  if (zeros > 0) out.emplace_back(0.0, zeros);
  for (const auto& [bucket, count] : buckets) {
    out.emplace_back(std::pow(kGamma, static_cast<double>(bucket)), count);
  }
  return out;
}

std::optional<double> Quantile(const InsightCounters& counters, std::string_view histogram,
                               double q) {
  std::vector<std::pair<int64_t, int64_t>> buckets;  // bucket → count
  const int64_t zeros = ReadBuckets(counters, histogram, buckets);
  int64_t total = zeros;
  for (const auto& b : buckets) total += b.second;
  if (total <= 0) return std::nullopt;
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * total - 1e-9)));
  int64_t seen = zeros;
  if (seen >= rank) return 0.0;
  for (const auto& [bucket, count] : buckets) {
    seen += count;
    if (seen >= rank) return 2 * std::pow(kGamma, static_cast<double>(bucket)) / (kGamma + 1);
  }
  return std::nullopt;
}

int64_t Counter(const InsightCounters& counters, std::string_view name) {
  auto it = counters.find(name);
  return it == counters.end() ? 0 : it->second;
}

std::string CounterName(std::string_view group, std::string_view name) {
  std::string out(group);
  out.push_back('.');
  out.append(name);
  return out;
}

void AddCounters(InsightCounters& into, const InsightCounters& add, int sign) {
  for (const auto& [name, value] : add) {
    auto it = into.try_emplace(name, 0).first;
    it->second += sign * value;
    if (it->second == 0) into.erase(it);
  }
}

namespace {

// App id → its zone, as this thread's folds last read or recorded it: spares every counted event a
// point read that usually misses. Every zone change goes through SetInsightZone, which updates it,
// and an app's first event (app.created) always sets it, so a thread that folds a second store
// (a replay after a live run) re-establishes each app's zone in log order before counting anything
// of that app. A processor runner folds on one thread; nothing else calls InsightZone.
class ZoneCache {
 public:
  std::optional<TimeZone> Find(std::string_view app_id) const {
    auto it = zones_.find(app_id);
    if (it == zones_.end()) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view app_id, TimeZone zone) {
    if (zones_.size() >= kMaxApps) zones_.clear();
    zones_.insert_or_assign(std::string(app_id), zone);
  }
  static ZoneCache& ForThisThread() {
    thread_local ZoneCache cache;
    return cache;
  }

 private:
  static constexpr size_t kMaxApps = 100000;
  std::map<std::string, TimeZone, std::less<>> zones_;
};

}  // namespace

Result<TimeZone> InsightZone(StoreBatch& batch, std::string_view app_id) {
  if (std::optional<TimeZone> cached = ZoneCache::ForThisThread().Find(app_id)) return *cached;
  std::string name;
  Result<bool> found = batch.Get(Family(Table::kInsights), InsightZoneKey(app_id), &name);
  if (!found.ok()) return found.status();
  Result<TimeZone> zone = *found ? TimeZone::Find(name) : Result<TimeZone>(TimeZone());
  if (zone.ok()) ZoneCache::ForThisThread().Put(app_id, *zone);
  return zone;
}

void SetInsightZone(StoreBatch& batch, std::string_view app_id, std::string_view zone) {
  Result<TimeZone> found = TimeZone::Find(zone);
  if (found.ok()) ZoneCache::ForThisThread().Put(app_id, *found);
  if (zone.empty() || zone == "UTC") {
    batch.Delete(Family(Table::kInsights), InsightZoneKey(app_id));
  } else {
    batch.Put(Family(Table::kInsights), InsightZoneKey(app_id), zone);
  }
}

void CountOnDay(StoreBatch& batch, std::string_view app_id, std::string_view day,
                const InsightCounters& counters) {
  if (counters.empty()) return;
  AddToRows(batch, {InsightDayKey(app_id, day), AllTimeKey(app_id)}, EncodeCounters(counters));
}

void MoveEntity(StoreBatch& batch, std::string_view app_id, const TimeZone& zone,
                std::string_view entity, const std::optional<EntityCounts>& before,
                const std::optional<EntityCounts>& after) {
  if (before && after && before->ts_ms == after->ts_ms) {
    // Same place: the difference, once.
    InsightCounters delta = after->counters;
    AddCounters(delta, before->counters, -1);
    PlaceEntity(batch, app_id, zone, entity, after->ts_ms, delta, 1);
    return;
  }
  if (before) PlaceEntity(batch, app_id, zone, entity, before->ts_ms, before->counters, -1);
  if (after) PlaceEntity(batch, app_id, zone, entity, after->ts_ms, after->counters, 1);
}

Result<TimeZone> InsightsView::Zone(std::string_view app_id) const {
  std::string name;
  Result<bool> found = store_.Get(Family(Table::kInsights), InsightZoneKey(app_id), &name);
  if (!found.ok()) return found.status();
  if (!*found) return TimeZone();
  return TimeZone::Find(name);
}

Status InsightsView::ForEachDay(
    std::string_view app_id, std::string_view first, std::string_view end,
    const std::function<void(std::string_view day, const InsightCounters&)>& fn) const {
  const std::string stop = InsightDayKey(app_id, end);
  std::unique_ptr<StoreIterator> it = store_.NewIterator(Family(Table::kInsights));
  for (it->Seek(InsightDayKey(app_id, first)); it->Valid() && it->key() < stop; it->Next()) {
    std::string_view day = it->key().substr(app_id.size());
    if (day.size() != 10) continue;
    InsightCounters counters;
    VOX_RETURN_IF_ERROR(DecodeCounters(it->value(), counters));
    fn(day, counters);
  }
  return it->status();
}

Result<InsightCounters> InsightsView::Row(const std::string& key) const {
  InsightCounters counters;
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kInsights), key, &stored);
  if (!found.ok()) return found.status();
  if (*found) VOX_RETURN_IF_ERROR(DecodeCounters(stored, counters));
  return counters;
}

Result<InsightCounters> InsightsView::AllTime(std::string_view app_id) const {
  return Row(AllTimeKey(app_id));
}

Result<InsightCounters> InsightsView::Window(std::string_view app_id,
                                             std::optional<int64_t> since_ms) const {
  if (!since_ms) return Row(TotalKey(app_id));
  InsightCounters sum;
  const int64_t first_whole_minute = Ceil(*since_ms, kMinuteMs);
  const int64_t first_whole_hour = Ceil(*since_ms, kHourMs);
  std::unique_ptr<StoreIterator> it = store_.NewIterator(Family(Table::kInsights));
  // The partial first minute, entity by entity.
  const std::string index_end = EntryKey(app_id, first_whole_minute, "");
  for (it->Seek(EntryKey(app_id, *since_ms, "")); it->Valid() && it->key() < index_end;
       it->Next()) {
    VOX_RETURN_IF_ERROR(DecodeCounters(it->value(), sum));
  }
  VOX_RETURN_IF_ERROR(it->status());
  // The whole minutes of the partial first hour.
  const std::string minutes_end = MinuteKey(app_id, first_whole_hour);
  for (it->Seek(MinuteKey(app_id, first_whole_minute)); it->Valid() && it->key() < minutes_end;
       it->Next()) {
    VOX_RETURN_IF_ERROR(DecodeCounters(it->value(), sum));
  }
  VOX_RETURN_IF_ERROR(it->status());
  // Whole hours from there on.
  const std::string hours_end = std::string(app_id) + "i";  // 'h' < 'i'
  for (it->Seek(HourKey(app_id, first_whole_hour)); it->Valid() && it->key() < hours_end;
       it->Next()) {
    VOX_RETURN_IF_ERROR(DecodeCounters(it->value(), sum));
  }
  VOX_RETURN_IF_ERROR(it->status());
  return sum;
}

}  // namespace voxbase
