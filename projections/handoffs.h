// Handoffs table (app id | handoff id → HandoffRow) and the human queue
// (IndexKind::kHandoffQueue: status | NUL | priority rank | be64(createdAt) | handoff id, so a
// status's entries list urgent first, then oldest first). Views are thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct HandoffRow {
  std::string handoff_id;
  std::string session_id;
  std::string reason;
  std::string priority = "normal";
  std::string status = "pending";
  std::string transcript_json = "[]";
  std::string ai_summary;
  std::string agent_id;  // who claimed it
  std::string notes;
  std::string resolution;
  std::string last_event_id;  // the event that made the last move: who won a race
  int64_t created_at = 0;
  std::optional<int64_t> claimed_at;
  std::optional<int64_t> resolved_at;

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<HandoffRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string HandoffKey(std::string_view app_id, std::string_view handoff_id);
std::string HandoffQueueKey(std::string_view app_id, const HandoffRow& row);

class HandoffsView {
 public:
  explicit HandoffsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<HandoffRow>> Get(std::string_view app_id, std::string_view handoff_id) const;
  // One status's queue: urgent first, then oldest first.
  Result<Page> Queue(std::string_view app_id, std::string_view status, size_t limit,
                     std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
