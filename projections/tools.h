// Tools and toolExecutions tables.
//   tools:           app id | tool name → ToolRow
//   toolExecutions:  app id | execution id → ExecutionRow
//   sys.indexes:     kExecutionsBySession, kExecutionsByTool (audit lists, oldest first)
//   sys.openExecutions: node id | NUL | app id | execution id, while an execution is started
//                    but not finished, so a node that restarts can find the calls it lost.
// Views are thread-safe; the store must outlive them.
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

struct ToolRow {
  std::string name;
  std::string description;
  std::string schema_json = "{}";
  std::string endpoint;
  bool requires_confirmation = false;
  int64_t timeout_ms = 10000;
  bool active = true;
  std::string event_id;  // the event that registered it: the winner of a race for the name
  int64_t created_at = 0;
  int64_t updated_at = 0;

  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<ToolRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

struct ExecutionRow {
  std::string execution_id;
  std::string tool_name;
  std::string session_id;
  std::string status;  // kExecutionStatuses
  std::string parameters_json = "{}";
  std::string result_json = "null";
  bool result_truncated = false;
  int http_status = 0;
  std::string error;
  int64_t duration_ms = 0;
  std::string node;
  std::string start_event_id;  // the started event that won (two confirmations may race)
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;

  bool open() const { return status == "started" || status == "pending_confirmation"; }
  std::string ToJson() const;
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<ExecutionRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
  static constexpr char kVersion = 1;
};

std::string ToolKey(std::string_view app_id, std::string_view name);
std::string ExecutionKey(std::string_view app_id, std::string_view execution_id);
std::string ExecutionBySessionKey(std::string_view app_id, std::string_view session_id,
                                  int64_t created_at, std::string_view execution_id);
std::string ExecutionByToolKey(std::string_view app_id, std::string_view tool_name,
                               int64_t created_at, std::string_view execution_id);
std::string OpenExecutionKey(std::string_view node, std::string_view app_id,
                             std::string_view execution_id);

struct OpenExecution {
  std::string app_id;
  std::string execution_id;
};

class ToolsView {
 public:
  explicit ToolsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<ToolRow>> Get(std::string_view app_id, std::string_view name) const;
  // Active tools by name; at most `limit` (no cursor: an app has few tools).
  Result<std::vector<ToolRow>> Active(std::string_view app_id, size_t limit) const;

  Result<std::optional<ExecutionRow>> Execution(std::string_view app_id,
                                                std::string_view execution_id) const;
  // Oldest first; by session (optionally of one tool) or by tool.
  Result<Page> ExecutionsBySession(std::string_view app_id, std::string_view session_id,
                                   std::string_view tool_name, size_t limit,
                                   std::string_view cursor) const;
  Result<Page> ExecutionsByTool(std::string_view app_id, std::string_view tool_name, size_t limit,
                                std::string_view cursor) const;
  // Executions this node started and never finished.
  Result<std::vector<OpenExecution>> OpenOnNode(std::string_view node) const;

 private:
  Result<Page> ExecutionPage(std::string_view app_id, const std::string& prefix,
                             std::string_view tool_name, size_t limit,
                             std::string_view cursor) const;
  const ProjectionStore& store_;
};

}  // namespace voxbase
