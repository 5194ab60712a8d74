// telemetry.recorded and messages.added: each array element becomes one row, stored as written at
// ingest, under the session's time-ordered key.
#include "processors/fold.h"
#include "projections/keys.h"
#include "projections/session_log.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

Status FoldSessionLog(const FoldContext& c, std::string_view array_field, Table table,
                      std::string_view time_field) {
  simdjson::dom::array items;
  if (c.event.payload[array_field].get(items)) return BadPayload(c.event, "no item array");
  uint32_t index = 0;
  std::string value;
  for (simdjson::dom::element item : items) {
    std::string_view session_id;
    int64_t time = 0;
    if (item["sessionId"].get(session_id) || item[time_field].get(time)) {
      return BadPayload(c.event, "item lacks sessionId or time");
    }
    value.assign(1, kSessionLogRowVersion);
    value += simdjson::minify(item);
    // Keyed by the log position: written once, never read back by a fold in the same batch.
    c.batch.PutUnread(Family(table),
                      SessionLogKey(c.event.app_id, session_id, time, c.position.offset, index),
                      value);
    ++index;
  }
  return Status::Ok();
}

Status FoldTelemetryRecorded(const FoldContext& c) {
  return FoldSessionLog(c, "events", Table::kEvents, "ts");
}

Status FoldMessagesAdded(const FoldContext& c) {
  return FoldSessionLog(c, "messages", Table::kMessages, "createdAt");
}

}  // namespace

void RegisterSessionLogFolds(FoldTable& folds) {
  folds.Register(EventType::kTelemetryRecorded, &FoldTelemetryRecorded);
  folds.Register(EventType::kMessagesAdded, &FoldMessagesAdded);
}

}  // namespace voxbase
