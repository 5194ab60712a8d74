// Tools and their executions. The first registration of a name keeps it; an update changes only
// what it names. An execution moves pending_confirmation → started → a terminal status; a start
// or finish that comes too late (a second confirmation, an interrupted mark after the real
// finish) changes nothing, so the first one wins here, deterministically.
#include "processors/fold.h"
#include "projections/tables.h"
#include "projections/tools.h"

namespace voxbase {
namespace {

Result<std::optional<ToolRow>> LoadTool(const FoldContext& c, std::string_view name) {
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kTools), ToolKey(c.event.app_id, name), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ToolRow>();
  Result<ToolRow> row = ToolRow::Decode(c.row_parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ToolRow>(std::move(*row));
}

Result<std::optional<ExecutionRow>> LoadExecution(const FoldContext& c, std::string_view id) {
  std::string stored;
  Result<bool> found =
      c.batch.Get(Family(Table::kToolExecutions), ExecutionKey(c.event.app_id, id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ExecutionRow>();
  Result<ExecutionRow> row = ExecutionRow::Decode(c.row_parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ExecutionRow>(std::move(*row));
}

void SaveExecution(const FoldContext& c, const ExecutionRow& row) {
  c.batch.Put(Family(Table::kToolExecutions), ExecutionKey(c.event.app_id, row.execution_id),
              row.Encode());
}

void IndexExecution(const FoldContext& c, const ExecutionRow& row) {
  c.batch.Put(
      Family(Table::kIndexes),
      ExecutionBySessionKey(c.event.app_id, row.session_id, row.created_at, row.execution_id), "");
  c.batch.Put(Family(Table::kIndexes),
              ExecutionByToolKey(c.event.app_id, row.tool_name, row.created_at, row.execution_id),
              "");
}

std::string Raw(simdjson::dom::object p, std::string_view key, std::string fallback) {
  simdjson::dom::element v;
  if (p[key].get(v)) return fallback;
  return simdjson::minify(v);
}

Status FoldToolRegistered(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view name, description, endpoint;
  bool confirmation = false;
  int64_t timeout = 0;
  if (p["name"].get(name) || p["description"].get(description) || p["endpoint"].get(endpoint) ||
      p["requiresConfirmation"].get(confirmation) || p["timeoutMs"].get(timeout)) {
    return BadPayload(c.event, "a tool lacks a field");
  }
  Result<std::optional<ToolRow>> existing = LoadTool(c, name);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return Status::Ok();  // the name is taken: the first keeps it
  ToolRow row;
  row.name = std::string(name);
  row.description = std::string(description);
  row.schema_json = Raw(p, "parametersSchema", "{}");
  row.endpoint = std::string(endpoint);
  row.requires_confirmation = confirmation;
  row.timeout_ms = timeout;
  row.event_id = std::string(c.event.id);
  row.created_at = row.updated_at = c.event.ts_ms;
  c.batch.Put(Family(Table::kTools), ToolKey(c.event.app_id, name), row.Encode());
  return Status::Ok();
}

Status FoldToolUpdated(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view name;
  if (p["name"].get(name)) return BadPayload(c.event, "no tool name");
  Result<std::optional<ToolRow>> existing = LoadTool(c, name);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) return Status::Ok();
  ToolRow row = std::move(**existing);
  std::string_view s;
  bool b = false;
  int64_t n = 0;
  if (!p["description"].get(s)) row.description = std::string(s);
  if (!p["endpoint"].get(s)) row.endpoint = std::string(s);
  if (!p["requiresConfirmation"].get(b)) row.requires_confirmation = b;
  if (!p["active"].get(b)) row.active = b;
  if (!p["timeoutMs"].get(n)) row.timeout_ms = n;
  row.schema_json = Raw(p, "parametersSchema", row.schema_json);
  row.updated_at = c.event.ts_ms;
  c.batch.Put(Family(Table::kTools), ToolKey(c.event.app_id, name), row.Encode());
  return Status::Ok();
}

Status ReadExecutionStart(const FoldContext& c, ExecutionRow* row) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view id, tool, session;
  if (p["executionId"].get(id) || p["toolName"].get(tool) || p["sessionId"].get(session)) {
    return BadPayload(c.event, "an execution lacks its id, tool or session");
  }
  row->execution_id = std::string(id);
  row->tool_name = std::string(tool);
  row->session_id = std::string(session);
  row->parameters_json = Raw(p, "parameters", "{}");
  row->created_at = c.event.ts_ms;
  return Status::Ok();
}

Status FoldExecutionPending(const FoldContext& c) {
  ExecutionRow row;
  VOX_RETURN_IF_ERROR(ReadExecutionStart(c, &row));
  Result<std::optional<ExecutionRow>> existing = LoadExecution(c, row.execution_id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return Status::Ok();
  row.status = "pending_confirmation";
  SaveExecution(c, row);
  IndexExecution(c, row);
  return Status::Ok();
}

Status FoldExecutionStarted(const FoldContext& c) {
  ExecutionRow fresh;
  VOX_RETURN_IF_ERROR(ReadExecutionStart(c, &fresh));
  std::string_view node;
  if (c.event.payload["node"].get(node)) return BadPayload(c.event, "no node");
  Result<std::optional<ExecutionRow>> existing = LoadExecution(c, fresh.execution_id);
  if (!existing.ok()) return existing.status();
  ExecutionRow row;
  if (existing->has_value()) {
    row = std::move(**existing);
    if (row.status != "pending_confirmation") return Status::Ok();  // started already
  } else {
    row = std::move(fresh);
    IndexExecution(c, row);
  }
  row.status = "started";
  row.started_at = c.event.ts_ms;
  row.node = std::string(node);
  row.start_event_id = std::string(c.event.id);
  SaveExecution(c, row);
  c.batch.Put(Family(Table::kOpenExecutions),
              OpenExecutionKey(row.node, c.event.app_id, row.execution_id), "");
  return Status::Ok();
}

Status FoldExecutionFinished(const FoldContext& c) {
  const simdjson::dom::object& p = c.event.payload;
  std::string_view id, status, error;
  int64_t http_status = 0, duration = 0;
  bool truncated = false;
  if (p["executionId"].get(id) || p["status"].get(status) || p["httpStatus"].get(http_status) ||
      p["error"].get(error) || p["durationMs"].get(duration) ||
      p["resultTruncated"].get(truncated)) {
    return BadPayload(c.event, "a finished execution lacks a field");
  }
  Result<std::optional<ExecutionRow>> existing = LoadExecution(c, id);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value() || (*existing)->status != "started") return Status::Ok();
  ExecutionRow row = std::move(**existing);
  row.status = std::string(status);
  row.http_status = static_cast<int>(http_status);
  row.result_json = Raw(p, "result", "null");
  row.result_truncated = truncated;
  row.error = std::string(error);
  row.duration_ms = duration;
  row.finished_at = c.event.ts_ms;
  SaveExecution(c, row);
  c.batch.Delete(Family(Table::kOpenExecutions),
                 OpenExecutionKey(row.node, c.event.app_id, row.execution_id));
  return Status::Ok();
}

}  // namespace

void RegisterToolFolds(FoldTable& folds) {
  folds.On(EventType::kToolRegistered, &FoldToolRegistered);
  folds.On(EventType::kToolUpdated, &FoldToolUpdated);
  folds.On(EventType::kToolExecutionPending, &FoldExecutionPending);
  folds.On(EventType::kToolExecutionStarted, &FoldExecutionStarted);
  folds.On(EventType::kToolExecutionFinished, &FoldExecutionFinished);
}

}  // namespace voxbase
