// Insights (projections/insights.h): the analytics of every other table, kept by following them.
// - Rows of conversations (by startedAt: a cohort view), handoffs (by createdAt), CSAT ratings
//   and tool calls (by their own time) move in the counters as they change.
// - Events that happen once count on their own time, in the local day only: messages by role,
//   turn metrics (telemetry of type turn.metrics), guardrail violations, knowledge searches and
//   minted tokens.
// - app.created records the app's time zone, which every later count reads, and
//   analytics.settings.updated changes it from then on.
// Knowledge gaps are counted by the knowledge-gaps processor, which decides them.
#include <cmath>

#include "processors/fold.h"
#include "processors/knowledge_events.h"
#include "projections/conversations.h"
#include "projections/csat.h"
#include "projections/handoffs.h"
#include "projections/insights.h"
#include "projections/row_codec.h"
#include "projections/tables.h"
#include "projections/tools.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {

// Moves what the row counted before the change to what it counts after it. `fields` are the ones
// read (the row codec's: only what counting needs), `count` says what and when it counts, `entity`
// names it in the time index.
template <typename Row, typename Fields, typename Count, typename Entity>
Status Follow(const FoldContext& c, const RowChange& change, const Fields& fields,
              std::string_view what, Count count, Entity entity) {
  std::optional<EntityCounts> before, after;
  std::string name;
  for (const auto& [stored, out] : {std::pair{&change.before, &before}, {&change.after, &after}}) {
    if (!*stored) continue;
    Result<Row> row = DecodeRow<Row>(c.row_parser, **stored, Row::kVersion, fields, what);
    if (!row.ok()) return row.status();
    *out = count(*row);
    name = entity(*row);
  }
  Result<TimeZone> zone = InsightZone(c.batch, c.event.app_id);
  if (!zone.ok()) return zone.status();
  MoveEntity(c.batch, c.event.app_id, *zone, name, before, after);
  return Status::Ok();
}

// --- conversations ---

constexpr auto kCountedConversationFields = std::make_tuple(
    Required(Col("sessionId", &ConversationRow::session_id)),
    Required(Col("status", &ConversationRow::status)),
    Required(Col("startedAt", &ConversationRow::started_at)),
    Col("endedAt", &ConversationRow::ended_at), Col("handedOffAt", &ConversationRow::handed_off_at),
    Col("endReason", &ConversationRow::end_reason));

EntityCounts CountConversation(const ConversationRow& row) {
  EntityCounts out{row.started_at, {}};
  out.counters["conversations.started"] = 1;
  out.counters[CounterName("conversations.status", row.status)] = 1;
  if (row.status == "resolved") out.counters["conversations.resolved"] = 1;
  if (row.handed_off_at) out.counters["conversations.handedOff"] = 1;
  if (row.ended_at) AddSample(out.counters, "durationMs", *row.ended_at - row.started_at);
  if (row.end_reason) out.counters[CounterName("endReasons", *row.end_reason)] = 1;
  return out;
}

Status FollowConversation(const FoldContext& c, const RowChange& change) {
  return Follow<ConversationRow>(c, change, kCountedConversationFields, "conversation",
                                 &CountConversation,
                                 [](const ConversationRow& row) { return "c" + row.session_id; });
}

// --- handoffs ---

constexpr auto kCountedHandoffFields = std::make_tuple(
    Required(Col("handoffId", &HandoffRow::handoff_id)), Col("priority", &HandoffRow::priority),
    Required(Col("status", &HandoffRow::status)), Col("createdAt", &HandoffRow::created_at),
    Col("claimedAt", &HandoffRow::claimed_at), Col("resolvedAt", &HandoffRow::resolved_at));

EntityCounts CountHandoff(const HandoffRow& row) {
  EntityCounts out{row.created_at, {}};
  out.counters["handoffs.created"] = 1;
  out.counters[CounterName("handoffs.priority", row.priority)] = 1;
  out.counters[CounterName("handoffs.status", row.status)] = 1;
  if (row.status == "pending") out.counters["handoffs.pending"] = 1;
  if (row.claimed_at) AddSample(out.counters, "timeToClaimMs", *row.claimed_at - row.created_at);
  if (row.resolved_at) {
    AddSample(out.counters, "timeToResolveMs", *row.resolved_at - row.created_at);
  }
  return out;
}

Status FollowHandoff(const FoldContext& c, const RowChange& change) {
  return Follow<HandoffRow>(c, change, kCountedHandoffFields, "handoff", &CountHandoff,
                            [](const HandoffRow& row) { return "h" + row.handoff_id; });
}

// --- CSAT ---

constexpr auto kCountedRatingFields =
    std::make_tuple(Required(Col("sessionId", &CsatRow::session_id)),
                    Required(Col("rating", &CsatRow::rating)), Col("ratedAt", &CsatRow::rated_at));

EntityCounts CountRating(const CsatRow& row) {
  EntityCounts out{row.rated_at, {}};
  out.counters["csat.n"] = 1;
  out.counters["csat.sum"] = row.rating;
  out.counters[CounterName("csat.score", std::to_string(row.rating))] = 1;
  return out;
}

Status FollowRating(const FoldContext& c, const RowChange& change) {
  return Follow<CsatRow>(c, change, kCountedRatingFields, "rating", &CountRating,
                         [](const CsatRow& row) { return "r" + row.session_id; });
}

// --- tool calls ---

constexpr auto kCountedExecutionFields = std::make_tuple(
    Required(Col("executionId", &ExecutionRow::execution_id)), Col("status", &ExecutionRow::status),
    Col("durationMs", &ExecutionRow::duration_ms), Col("createdAt", &ExecutionRow::created_at));

// Counted once terminal; an open call counts nothing yet.
EntityCounts CountExecution(const ExecutionRow& row) {
  EntityCounts out{row.created_at, {}};
  if (row.open()) return out;
  out.counters["toolCalls.finished"] = 1;
  out.counters[CounterName("toolCalls.status", row.status)] = 1;
  if (row.status == "success") out.counters["toolCalls.succeeded"] = 1;
  AddSample(out.counters, "toolLatencyMs", row.duration_ms);
  return out;
}

Status FollowExecution(const FoldContext& c, const RowChange& change) {
  return Follow<ExecutionRow>(c, change, kCountedExecutionFields, "tool execution", &CountExecution,
                              [](const ExecutionRow& row) { return "x" + row.execution_id; });
}

// --- things that happen once ---

// Counters of the event itself, on the local day of its time.
Status CountEvent(const FoldContext& c, const InsightCounters& counters) {
  Result<TimeZone> zone = InsightZone(c.batch, c.event.app_id);
  if (!zone.ok()) return zone.status();
  CountOnDay(c.batch, c.event.app_id, zone->Day(c.event.ts_ms), counters);
  return Status::Ok();
}

Status FoldAppCreated(const FoldContext& c) {
  std::string owner;
  std::string_view slug, zone;
  if (c.event.payload["slug"].get(slug)) return BadPayload(c.event, "no slug");
  Result<bool> found = c.batch.Get(Family(Table::kAppSlugs), slug, &owner);
  if (!found.ok()) return found.status();
  if (!*found || owner != c.event.app_id) return Status::Ok();  // a duplicate slug: no app
  if (c.event.payload["timezone"].get(zone)) zone = "UTC";
  if (!TimeZone::Find(zone).ok()) return BadPayload(c.event, "unknown timezone");
  SetInsightZone(c.batch, c.event.app_id, zone);  // also when UTC: it resets the zone cache
  return Status::Ok();
}

// A new zone counts what comes after it; the days already counted stay as they were.
Status FoldSettingsUpdated(const FoldContext& c) {
  std::string_view zone;
  if (c.event.payload["timezone"].get(zone) || !TimeZone::Find(zone).ok()) {
    return BadPayload(c.event, "no known timezone");
  }
  SetInsightZone(c.batch, c.event.app_id, zone);
  return Status::Ok();
}

// Items of one array counted at their own time, a day row at a time.
template <typename CountItem>
Status CountItems(const FoldContext& c, std::string_view array_field, std::string_view time_field,
                  CountItem count_item) {
  simdjson::dom::array items;
  if (c.event.payload[array_field].get(items)) return BadPayload(c.event, "no item array");
  Result<TimeZone> zone = InsightZone(c.batch, c.event.app_id);
  if (!zone.ok()) return zone.status();
  std::map<std::string, InsightCounters> by_day;
  for (simdjson::dom::object item : items) {
    int64_t ts = 0;
    if (item[time_field].get(ts)) ts = c.event.ts_ms;
    InsightCounters counters;
    count_item(item, counters);
    AddCounters(by_day[zone->Day(ts)], counters);
  }
  for (const auto& [day, counters] : by_day) CountOnDay(c.batch, c.event.app_id, day, counters);
  return Status::Ok();
}

Status FoldMessages(const FoldContext& c) {
  return CountItems(c, "messages", "createdAt",
                    [](simdjson::dom::object item, InsightCounters& counters) {
                      std::string_view role;
                      if (!item["role"].get(role)) ++counters[CounterName("messages", role)];
                    });
}

Status FoldTelemetry(const FoldContext& c) {
  return CountItems(c, "events", "ts", [](simdjson::dom::object item, InsightCounters& counters) {
    std::string_view type;
    simdjson::dom::object data;
    if (item["type"].get(type) || type != "turn.metrics" || item["data"].get(data)) return;
    ++counters["turns.n"];
    for (std::string_view stage : kTurnStages.words) {
      double v = 0;
      if (!data[stage].get(v) && std::isfinite(v) && v >= 0 && v < 1e9) {
        AddSample(counters, CounterName("turn", stage), std::llround(v));
      }
    }
    for (std::string_view field : kUsageFields.words) {
      double v = 0;
      if (!data[field].get(v) && std::isfinite(v) && v >= 0 && v < 1e12) {
        counters[CounterName("usage", field)] += std::llround(v);
      }
    }
  });
}

Status FoldViolations(const FoldContext& c) {
  simdjson::dom::array violations;
  if (c.event.payload["violations"].get(violations)) return BadPayload(c.event, "no violations");
  InsightCounters counters;
  for (simdjson::dom::object v : violations) {
    std::string_view type, action;
    if (v["type"].get(type) || v["action"].get(action)) {
      return BadPayload(c.event, "a violation lacks its type or action");
    }
    ++counters[CounterName(CounterName("violations", type), action)];
  }
  return CountEvent(c, counters);
}

// Read as the knowledge-gaps processor reads it, so "gapped" here is a search it considered.
Status FoldSearched(const FoldContext& c) {
  Result<Searched> s = ReadSearched(c.event);
  if (!s.ok()) return s.status();
  const bool answered = s->best_score >= s->gap_threshold;
  return CountEvent(
      c, {{"knowledge.searches", 1}, {answered ? "knowledge.answered" : "knowledge.gapped", 1}});
}

Status FoldTokenMinted(const FoldContext& c) {
  std::string_view provider;
  if (c.event.payload["provider"].get(provider)) return BadPayload(c.event, "no provider");
  return CountEvent(c, {{CounterName("tokensMinted", provider), 1}});
}

}  // namespace

void RegisterInsightFolds(FoldTable& folds) {
  folds.On(EventType::kAppCreated, &FoldAppCreated);
  folds.On(EventType::kAnalyticsSettingsUpdated, &FoldSettingsUpdated);
  folds.On(EventType::kMessagesAdded, &FoldMessages);
  folds.On(EventType::kTelemetryRecorded, &FoldTelemetry);
  folds.On(EventType::kGuardrailViolationsRecorded, &FoldViolations);
  folds.On(EventType::kKnowledgeSearched, &FoldSearched);
  folds.On(EventType::kTokenMinted, &FoldTokenMinted);
  folds.OnRowChanged(Table::kConversations, &FollowConversation);
  folds.OnRowChanged(Table::kHandoffs, &FollowHandoff);
  folds.OnRowChanged(Table::kCsatRatings, &FollowRating);
  folds.OnRowChanged(Table::kToolExecutions, &FollowExecution);
}

}  // namespace voxbase
