// telemetry.recorded and messages.added: each array element is an item of its session's log,
// stored as written at ingest; one event's items for one session go in as one run
// (projections/session_log.h).
#include <algorithm>

#include "processors/fold.h"
#include "projections/session_log.h"
#include "projections/tables.h"
#include "schemas/json_minify.h"

namespace voxbase {
namespace {

Status FoldSessionLog(const FoldContext& c, std::string_view array_field, Table table,
                      std::string_view time_field) {
  simdjson::dom::array array;
  if (c.event.payload[array_field].get(array)) return BadPayload(c.event, "no item array");
  struct Entry {
    std::string_view session_id;
    SessionLogItem item;
    size_t json_at = 0;  // in `json`
  };
  std::vector<Entry> entries;
  entries.reserve(array.size());
  // Every item's JSON in one buffer: one allocation per event, not one per item.
  std::string json;
  {
    MinifiedJson writer(&json);
    uint32_t index = 0;
    for (simdjson::dom::element element : array) {
      Entry entry;
      if (element["sessionId"].get(entry.session_id) || element[time_field].get(entry.item.time)) {
        return BadPayload(c.event, "item lacks sessionId or time");
      }
      entry.item.index = index++;
      entry.json_at = writer.size();
      writer.Append(element);
      entries.push_back(entry);
    }
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t end = i + 1 < entries.size() ? entries[i + 1].json_at : json.size();
    entries[i].item.json =
        std::string_view(json).substr(entries[i].json_at, end - entries[i].json_at);
  }
  // Grouped by session (sorted by id, which no reader sees); a batch usually holds one.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.session_id < b.session_id; });
  std::vector<SessionLogItem> items;
  for (size_t i = 0; i < entries.size();) {
    const std::string_view session_id = entries[i].session_id;
    items.clear();
    for (; i < entries.size() && entries[i].session_id == session_id; ++i) {
      items.push_back(std::move(entries[i].item));
    }
    VOX_RETURN_IF_ERROR(AppendSessionLog(c.batch, Family(table), c.event.app_id, session_id,
                                         c.position.offset, items));
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
  folds.On(EventType::kTelemetryRecorded, &FoldTelemetryRecorded);
  folds.On(EventType::kMessagesAdded, &FoldMessagesAdded);
}

}  // namespace voxbase
