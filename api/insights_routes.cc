// Analytics (seed 001): GET /api/analytics/insights, rows of a day, week or month in the app's
// time zone (JSON, or CSV for export), and GET /api/analytics/overview, the live figures over a
// window. Both read the insights table (projections/insights.h): periods merge their day rows,
// the overview reads InsightsView::Window. Rates without a
// denominator are null. "Last 24h" is counted from the request's time. GET and PATCH
// /api/analytics/settings read and change the app's time zone.
#include <charconv>
#include <cmath>
#include <variant>

#include "api/routes.h"
#include "ingest/apps.h"
#include "projections/insights.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr size_t kMaxPeriods = 400;

// One figure of a row: a dotted path ("csat.average") and an integer, a number or null (an
// absent rate), or a string. Rows are lists of cells in a fixed order, written as nested JSON
// objects or as CSV columns named by the path.
using CellValue = std::variant<int64_t, std::optional<double>, std::string>;
struct Cell {
  std::string path;
  CellValue value;
};
using Row = std::vector<Cell>;

std::optional<double> Ratio(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// Figures shown with 4 significant decimals: rates and averages, not raw counters.
std::optional<double> Rounded(std::optional<double> v) {
  if (!v) return v;
  return std::round(*v * 10000) / 10000;
}

class RowBuilder {
 public:
  explicit RowBuilder(const InsightCounters& c) : c_(c) {}
  RowBuilder& Int(std::string path, int64_t v) {
    row_.push_back({std::move(path), v});
    return *this;
  }
  RowBuilder& Count(std::string path, std::string_view counter) {
    return Int(std::move(path), Counter(c_, counter));
  }
  RowBuilder& Number(std::string path, std::optional<double> v) {
    row_.push_back({std::move(path), Rounded(v)});
    return *this;
  }
  RowBuilder& Text(std::string path, std::string v) {
    row_.push_back({std::move(path), std::move(v)});
    return *this;
  }
  RowBuilder& Quantiles(const std::string& path, std::string_view histogram,
                        std::initializer_list<std::pair<std::string_view, double>> qs) {
    for (const auto& [name, q] : qs) Number(CounterName(path, name), Quantile(c_, histogram, q));
    return *this;
  }
  Row Take() { return std::move(row_); }

 private:
  const InsightCounters& c_;
  Row row_;
};

Row InsightRow(Period period, const TimeZone& zone, const std::string& day,
               const InsightCounters& c) {
  const std::string next = TimeZone::NextPeriodDay(period, day);
  RowBuilder b(c);
  b.Text("period", std::string(PeriodName(period)))
      .Text("date", day)
      .Int("start", zone.DayStartMillis(day))
      .Int("end", zone.DayStartMillis(next));
  const int64_t started = Counter(c, "conversations.started");
  b.Int("conversations.started", started);
  for (std::string_view s : kConversationStatuses.words) {
    b.Count(CounterName("conversations", s), CounterName("conversations.status", s));
  }
  b.Count("conversations.reachedHuman", "conversations.handedOff");
  b.Number("resolutionRate", Ratio(Counter(c, "conversations.resolved"), started));
  b.Number("handoffRate", Ratio(Counter(c, "conversations.handedOff"), started));
  const int64_t ended = Counter(c, "durationMs.n");
  b.Int("durationMs.count", ended)
      .Number("durationMs.avg", Ratio(Counter(c, "durationMs.sum"), ended))
      .Quantiles("durationMs", "durationMs", {{"p50", 0.5}, {"p95", 0.95}});
  for (std::string_view role : kMessageRoles.words) {
    b.Count(CounterName("messages", role), CounterName("messages", role));
  }
  const int64_t ratings = Counter(c, "csat.n");
  b.Int("csat.count", ratings).Number("csat.average", Ratio(Counter(c, "csat.sum"), ratings));
  for (int score = 1; score <= 5; ++score) {
    b.Count("csat.distribution." + std::to_string(score), "csat.score." + std::to_string(score));
  }
  const int64_t calls = Counter(c, "toolCalls.finished");
  b.Int("toolCalls.total", calls);
  for (std::string_view s : kExecutionStatuses.words) {
    if (s == "pending_confirmation" || s == "started") continue;
    b.Count(CounterName("toolCalls", s), CounterName("toolCalls.status", s));
  }
  b.Number("toolSuccessRate", Ratio(Counter(c, "toolCalls.succeeded"), calls))
      .Quantiles("toolLatencyMs", "toolLatencyMs", {{"p50", 0.5}, {"p95", 0.95}});
  for (std::string_view type : kGuardrailTypes.words) {
    for (std::string_view action : kGuardrailActions.words) {
      const std::string path = CounterName(CounterName("guardrailViolations", type), action);
      b.Count(path, CounterName(CounterName("violations", type), action));
    }
  }
  b.Count("knowledge.searches", "knowledge.searches")
      .Count("knowledge.answered", "knowledge.answered")
      .Count("knowledge.gapped", "knowledge.gapped")
      .Count("knowledge.gapsOpened", "gaps.opened")
      .Count("knowledge.gapsResolved", "gaps.resolved")
      .Count("knowledge.gapsDismissed", "gaps.dismissed");
  for (std::string_view provider : kTokenProviders.words) {
    b.Count(CounterName("tokensMinted", provider), CounterName("tokensMinted", provider));
  }
  b.Count("handoffs.created", "handoffs.created");
  for (std::string_view p : kHandoffPriorities.words) {
    b.Count(CounterName("handoffs.byPriority", p), CounterName("handoffs.priority", p));
  }
  for (std::string_view s : kHandoffStatuses.words) {
    b.Count(CounterName("handoffs.byStatus", s), CounterName("handoffs.status", s));
  }
  b.Number("handoffs.medianTimeToClaimMs", Quantile(c, "timeToClaimMs", 0.5))
      .Number("handoffs.medianTimeToResolveMs", Quantile(c, "timeToResolveMs", 0.5));
  b.Count("turns", "turns.n");
  for (std::string_view stage : kTurnStages.words) {
    const std::string path = CounterName("turnLatency", stage);
    const std::string histogram = CounterName("turn", stage);
    b.Count(CounterName(path, "count"), histogram + ".n")
        .Quantiles(path, histogram, {{"p50", 0.5}, {"p95", 0.95}, {"p99", 0.99}});
  }
  for (std::string_view field : kUsageFields.words)
    b.Count(CounterName("usage", field), CounterName("usage", field));
  for (std::string_view reason : kEndReasons.words) {
    b.Count(CounterName("endReasons", reason), CounterName("endReasons", reason));
  }
  return b.Take();
}

void WriteValue(JsonWriter& w, const CellValue& v) {
  if (const int64_t* n = std::get_if<int64_t>(&v)) {
    w.Int(*n);
  } else if (const auto* d = std::get_if<std::optional<double>>(&v)) {
    *d ? w.Double(**d) : w.Null();
  } else {
    w.String(std::get<std::string>(v));
  }
}

// The row as nested objects: cells that share a path prefix are adjacent, by construction.
void WriteRow(JsonWriter& w, const Row& row) {
  std::vector<std::string_view> open;
  w.BeginObject();
  for (const Cell& cell : row) {
    std::vector<std::string_view> parts;
    std::string_view path = cell.path;
    for (size_t dot; (dot = path.find('.')) != std::string_view::npos;
         path.remove_prefix(dot + 1)) {
      parts.push_back(path.substr(0, dot));
    }
    size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    while (open.size() > common) {
      w.EndObject();
      open.pop_back();
    }
    for (size_t i = common; i < parts.size(); ++i) {
      w.Key(parts[i]).BeginObject();
      open.push_back(parts[i]);
    }
    w.Key(path);
    WriteValue(w, cell.value);
  }
  while (!open.empty()) {
    w.EndObject();
    open.pop_back();
  }
  w.EndObject();
}

std::string CsvField(const CellValue& v) {
  if (const int64_t* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<std::optional<double>>(&v)) {
    if (!*d) return "";
    JsonWriter w;
    w.Double(**d);
    return w.str();
  }
  return std::get<std::string>(v);  // dates and period names: nothing to quote
}

std::string Csv(const std::vector<Row>& rows, const Row& header) {
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + header[i].path;
  out += "\r\n";
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + CsvField(row[i].value);
    out += "\r\n";
  }
  return out;
}

// An epoch-ms query parameter; nullopt when absent.
Result<std::optional<int64_t>> MillisParam(const HttpRequest& request, std::string_view name) {
  if (!request.HasQuery(name)) return std::optional<int64_t>();
  std::string_view text = request.Query(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      v > kMaxTimeMs) {
    return InvalidArgument(std::string(name) + " must be a time in ms since the epoch");
  }
  return std::optional<int64_t>(v);
}

HttpResponse Insights(const ApiContext& api, const AppContext& app, const HttpRequest& request) {
  Period period = Period::kDay;
  if (request.HasQuery("period") && !ParsePeriod(request.Query("period"), &period)) {
    return ErrorResponse(400, "period must be day, week or month");
  }
  std::string_view format = request.Query("format");
  if (!format.empty() && format != "json" && format != "csv") {
    return ErrorResponse(400, "format must be json or csv");
  }
  Result<std::optional<int64_t>> from = MillisParam(request, "from");
  if (!from.ok()) return ErrorResponse(from.status());
  Result<std::optional<int64_t>> to = MillisParam(request, "to");
  if (!to.ok()) return ErrorResponse(to.status());
  const int64_t to_ms = to->value_or(api.clock->NowMillis());
  const int64_t default_span = period == Period::kDay    ? 30 * kDayMs
                               : period == Period::kWeek ? 12 * 7 * kDayMs
                                                         : 365 * kDayMs;
  const int64_t from_ms = from->value_or(std::max<int64_t>(0, to_ms - default_span));
  if (from_ms > to_ms) return ErrorResponse(400, "from must not be after to");

  InsightsView view(*api.store);
  Result<TimeZone> zone = view.Zone(app.app_id);
  if (!zone.ok()) return ErrorResponse(zone.status());
  const std::string last = TimeZone::PeriodDay(period, zone->Day(to_ms));
  std::vector<std::string> starts;
  for (std::string day = TimeZone::PeriodDay(period, zone->Day(from_ms)); day <= last;
       day = TimeZone::NextPeriodDay(period, day)) {
    if (starts.size() == kMaxPeriods) {
      return ErrorResponse(400, "the range holds more than 400 periods; narrow from and to");
    }
    starts.push_back(day);
  }
  std::vector<InsightCounters> sums(starts.size());
  Status scanned =
      view.ForEachDay(app.app_id, starts.front(), TimeZone::NextPeriodDay(period, last),
                      [&](std::string_view day, const InsightCounters& counters) {
                        const std::string start = TimeZone::PeriodDay(period, day);
                        auto it = std::lower_bound(starts.begin(), starts.end(), start);
                        if (it != starts.end() && *it == start)
                          AddCounters(sums[it - starts.begin()], counters);
                      });
  if (!scanned.ok()) return ErrorResponse(scanned);

  std::vector<Row> rows;
  rows.reserve(starts.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    rows.push_back(InsightRow(period, *zone, starts[i], sums[i]));
  }
  if (format == "csv") {
    HttpResponse response;
    response.content_type = "text/csv; charset=utf-8";
    response.body = Csv(rows, rows.empty() ? Row{} : rows.front());
    return response;
  }
  JsonWriter w;
  w.BeginObject()
      .Field("period", PeriodName(period))
      .Field("timezone", zone->name())
      .Field("from", from_ms)
      .Field("to", to_ms)
      .Key("insights")
      .BeginArray();
  for (const Row& row : rows) WriteRow(w, row);
  w.EndArray().EndObject();
  return JsonResponse(200, w.str());
}

HttpResponse Overview(const ApiContext& api, const AppContext& app, const HttpRequest& request) {
  Result<std::optional<int64_t>> since = MillisParam(request, "since");
  if (!since.ok()) return ErrorResponse(since.status());
  const int64_t now = api.clock->NowMillis();
  InsightsView view(*api.store);
  Result<InsightCounters> window = view.Window(app.app_id, *since);
  if (!window.ok()) return ErrorResponse(window.status());
  Result<InsightCounters> day = view.Window(app.app_id, std::max<int64_t>(0, now - kDayMs));
  if (!day.ok()) return ErrorResponse(day.status());
  const InsightCounters& c = *window;
  const int64_t started = Counter(c, "conversations.started");
  Row row =
      RowBuilder(c)
          .Int("totalConversations", started)
          .Number("resolutionRate", Ratio(Counter(c, "conversations.resolved"), started))
          .Number("handoffRate", Ratio(Counter(c, "conversations.handedOff"), started))
          .Number("avgCSAT", Ratio(Counter(c, "csat.sum"), Counter(c, "csat.n")))
          .Number("avgDurationMs", Ratio(Counter(c, "durationMs.sum"), Counter(c, "durationMs.n")))
          .Number("toolSuccessRate",
                  Ratio(Counter(c, "toolCalls.succeeded"), Counter(c, "toolCalls.finished")))
          .Count("pendingHandoffs", "handoffs.pending")
          .Count("unresolvedGaps", "gaps.open")
          .Int("conversationsLast24h", Counter(*day, "conversations.started"))
          .Int("handoffsLast24h", Counter(*day, "handoffs.created"))
          .Take();
  JsonWriter w;
  w.BeginObject();
  w.Key("since");
  *since ? w.Int(**since) : w.Null();
  w.Field("now", now).Key("overview");
  WriteRow(w, row);
  w.EndObject();
  return JsonResponse(200, w.str());
}

HttpResponse Settings(const ApiContext& api, const AppContext& app, const HttpRequest&) {
  Result<TimeZone> zone = InsightsView(*api.store).Zone(app.app_id);
  if (!zone.ok()) return ErrorResponse(zone.status());
  JsonWriter w;
  w.BeginObject().Field("timezone", zone->name()).EndObject();
  return JsonResponse(200, w.str());
}

}  // namespace

void AddInsightRoutes(Router& router, ApiContext& api) {
  // The zone days, weeks and months are counted in from now on; what is counted stays.
  AddWriteRoute(router, api, "PATCH", "/api/analytics/settings", Access::kSecret,
                [](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<Event> event = BuildAnalyticsSettingsUpdated(in.command);
                  if (!event.ok()) return event.status();
                  // Answered with what this request set (a retry, later, gets the same answer
                  // even if another request has changed the zone since).
                  std::string zone(in.body["timezone"].get_string().value_unsafe());
                  return WriteThen(std::move(*event), [zone](const Applied&) {
                    JsonWriter w;
                    w.BeginObject().Field("timezone", zone).EndObject();
                    return JsonResponse(200, w.str());
                  });
                });
  // The reads: the app from the query's credentials, then the answer.
  using Read = HttpResponse (*)(const ApiContext&, const AppContext&, const HttpRequest&);
  for (const auto& [path, read] :
       {std::pair<std::string_view, Read>{"/api/analytics/settings", &Settings},
        {"/api/analytics/insights", &Insights},
        {"/api/analytics/overview", &Overview}}) {
    router.Add("GET", path, Access::kOperator,
               [&api, read = read](HttpRequest& request, Respond respond) {
                 Result<AppContext> app = api.auth->ForQuery(request);
                 if (!app.ok()) return respond(ErrorResponse(app.status()));
                 respond(read(api, *app, request));
               });
  }
}

}  // namespace voxbase
