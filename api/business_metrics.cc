#include "api/business_metrics.h"

#include <limits>
#include <map>

#include "projections/insights.h"
#include "projections/tables.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr double kLatencyBoundsMs[] = {25,   50,   100,  200,  300,  500,   750,
                                       1000, 1500, 2000, 3000, 5000, 10000, 30000};

// Every app's all-time counters, by the label its series carry ("" without per-app labels). The
// slug index (sys.appSlugs: slug → app id) lists the apps in slug order.
std::map<std::string, InsightCounters> CountersByLabel(const ProjectionStore& store, bool per_app) {
  std::map<std::string, InsightCounters> out;
  InsightsView view(store);
  size_t labelled = 0;
  std::unique_ptr<StoreIterator> apps = store.NewIterator(Family(Table::kAppSlugs));
  for (apps->SeekToFirst(); apps->Valid(); apps->Next()) {
    Result<InsightCounters> counters = view.AllTime(apps->value());
    if (!counters.ok()) continue;
    std::string label;
    if (per_app) {
      label = labelled++ < BusinessMetrics::kMaxAppSeries ? std::string(apps->key()) : "other";
    }
    AddCounters(out[label], *counters);
  }
  return out;
}

using Series = std::vector<std::pair<std::vector<ClientMetric::Label>, std::string>>;

class Builder {
 public:
  Builder(const std::map<std::string, InsightCounters>& by_app, bool per_app)
      : by_app_(by_app), per_app_(per_app) {}

  // A counter or gauge: one series per app label and per `series` entry, valued by its counter.
  void Add(const std::string& name, const std::string& help, MetricType type,
           const Series& series) {
    Family(name, help, type, series,
           [type](ClientMetric& m, const InsightCounters& counters, const std::string& counter) {
             const auto v = static_cast<double>(Counter(counters, counter));
             (type == MetricType::Counter ? m.counter.value : m.gauge.value) = v;
           });
  }
  // A histogram in kLatencyBoundsMs from a log-bucket histogram of the insights.
  void Histogram(const std::string& name, const std::string& help, const Series& series) {
    Family(name, help, MetricType::Histogram, series,
           [](ClientMetric& m, const InsightCounters& counters, const std::string& histogram) {
             const auto buckets = HistogramBuckets(counters, histogram);
             m.histogram.sample_count = static_cast<uint64_t>(Counter(counters, histogram + ".n"));
             m.histogram.sample_sum = static_cast<double>(Counter(counters, histogram + ".sum"));
             size_t next = 0;
             uint64_t cumulative = 0;
             for (double bound : kLatencyBoundsMs) {
               // A log bucket counts under the first bound its upper edge does not pass (its
               // values lie within 2 % of that edge).
               while (next < buckets.size() && buckets[next].first <= bound) {
                 cumulative += static_cast<uint64_t>(buckets[next++].second);
               }
               m.histogram.bucket.push_back({cumulative, bound});
             }
             m.histogram.bucket.push_back(
                 {m.histogram.sample_count, std::numeric_limits<double>::infinity()});
           });
  }
  std::vector<MetricFamily> Take() { return std::move(families_); }

 private:
  template <typename Fill>
  void Family(const std::string& name, const std::string& help, MetricType type,
              const Series& series, Fill fill) {
    MetricFamily family{name, help, type, {}};
    for (const auto& [app, counters] : by_app_) {
      for (const auto& [labels, counter] : series) {
        ClientMetric m;
        m.label = labels;
        if (per_app_) m.label.insert(m.label.begin(), {"app", app});
        fill(m, counters, counter);
        family.metric.push_back(std::move(m));
      }
    }
    families_.push_back(std::move(family));
  }

  const std::map<std::string, InsightCounters>& by_app_;
  const bool per_app_;
  std::vector<MetricFamily> families_;
};

}  // namespace

std::vector<MetricFamily> BusinessMetrics::Collect() const {
  std::map<std::string, InsightCounters> by_app = CountersByLabel(store_, per_app_);
  if (by_app.empty()) by_app[per_app_ ? "other" : ""];  // every family present, at 0
  Builder b(by_app, per_app_);
  Series statuses;
  for (std::string_view s : kConversationStatuses.words) {
    statuses.push_back({{{"status", std::string(s)}}, CounterName("conversations.status", s)});
  }
  b.Add("voxbase_conversations", "Conversations by their status now", MetricType::Gauge, statuses);
  b.Add("voxbase_conversations_started_total", "Conversations started", MetricType::Counter,
        {{{}, "conversations.started"}});
  b.Add("voxbase_handoffs_created_total", "Handoffs to a human created", MetricType::Counter,
        {{{}, "handoffs.created"}});
  b.Add("voxbase_handoffs_pending", "Handoffs waiting for a human", MetricType::Gauge,
        {{{}, "handoffs.pending"}});
  Series roles;
  for (std::string_view r : kMessageRoles.words) {
    roles.push_back({{{"role", std::string(r)}}, CounterName("messages", r)});
  }
  b.Add("voxbase_messages_total", "Transcript messages stored, by role", MetricType::Counter,
        roles);
  Series tools;
  for (std::string_view s : kExecutionStatuses.words) {
    if (s == "pending_confirmation" || s == "started") continue;
    tools.push_back({{{"status", std::string(s)}}, CounterName("toolCalls.status", s)});
  }
  b.Add("voxbase_tool_calls_total", "Tool calls that ended, by status", MetricType::Counter, tools);
  b.Histogram("voxbase_tool_call_latency_ms", "Tool call latency, ms", {{{}, "toolLatencyMs"}});
  Series violations;
  for (std::string_view t : kGuardrailTypes.words) {
    for (std::string_view a : kGuardrailActions.words) {
      violations.push_back({{{"type", std::string(t)}, {"action", std::string(a)}},
                            CounterName(CounterName("violations", t), a)});
    }
  }
  b.Add("voxbase_guardrail_violations_total", "Guardrail violations recorded", MetricType::Counter,
        violations);
  Series scores;
  for (int score = 1; score <= 5; ++score) {
    scores.push_back({{{"score", std::to_string(score)}}, "csat.score." + std::to_string(score)});
  }
  b.Add("voxbase_csat_ratings", "CSAT ratings by score (a session's latest)", MetricType::Gauge,
        scores);
  b.Add("voxbase_csat_score_sum", "The sum of the scores of those ratings (for the average)",
        MetricType::Gauge, {{{}, "csat.sum"}});
  b.Add("voxbase_knowledge_searches_total", "Knowledge searches, answered or gapped",
        MetricType::Counter,
        {{{{"outcome", "answered"}}, "knowledge.answered"},
         {{{"outcome", "gapped"}}, "knowledge.gapped"}});
  b.Add("voxbase_knowledge_gaps_open", "Knowledge gaps still open", MetricType::Gauge,
        {{{}, "gaps.open"}});
  Series stages;
  for (std::string_view stage : kTurnStages.words) {
    stages.push_back({{{"stage", std::string(stage)}}, CounterName("turn", stage)});
  }
  b.Histogram("voxbase_turn_latency_ms", "Voice turn latency by stage (turn.metrics), ms", stages);
  Series providers;
  for (std::string_view p : kTokenProviders.words) {
    providers.push_back({{{"provider", std::string(p)}}, CounterName("tokensMinted", p)});
  }
  b.Add("voxbase_tokens_minted_total", "Browser tokens minted, by provider", MetricType::Counter,
        providers);
  return b.Take();
}

}  // namespace voxbase
