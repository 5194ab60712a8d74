#include "projections/tools.h"

#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;

std::string RawField(simdjson::dom::object obj, std::string_view name, std::string fallback) {
  simdjson::dom::element v;
  if (obj[name].get(v)) return fallback;
  return simdjson::minify(v);
}

bool BoolField(simdjson::dom::object obj, std::string_view name, bool fallback) {
  bool v = fallback;
  if (obj[name].get(v)) return fallback;
  return v;
}

std::string IndexKey(std::string_view app_id, IndexKind kind, std::string_view group,
                     int64_t created_at, std::string_view execution_id) {
  std::string key = IndexPrefix(app_id, kind);
  key.append(group).push_back('\0');
  AppendBigEndian64(&key, static_cast<uint64_t>(created_at));
  key.append(execution_id);
  return key;
}

}  // namespace

std::string ToolRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("name", name)
      .Field("description", description)
      .RawField("parametersSchema", schema_json)
      .Field("endpoint", endpoint)
      .Field("requiresConfirmation", requires_confirmation)
      .Field("timeoutMs", timeout_ms)
      .Field("active", active)
      .Field("eventId", event_id)
      .Field("createdAt", created_at)
      .Field("updatedAt", updated_at)
      .EndObject();
  return w.str();
}

Result<ToolRow> ToolRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  ToolRow t;
  t.name = StringField(*obj, "name");
  t.description = StringField(*obj, "description");
  t.schema_json = RawField(*obj, "parametersSchema", "{}");
  t.endpoint = StringField(*obj, "endpoint");
  t.requires_confirmation = BoolField(*obj, "requiresConfirmation", false);
  t.timeout_ms = IntField(*obj, "timeoutMs");
  t.active = BoolField(*obj, "active", true);
  t.event_id = StringField(*obj, "eventId");
  t.created_at = IntField(*obj, "createdAt");
  t.updated_at = IntField(*obj, "updatedAt");
  if (t.name.empty()) return Corruption("stored tool is malformed");
  return t;
}

std::string ExecutionRow::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("executionId", execution_id)
      .Field("toolName", tool_name)
      .Field("sessionId", session_id)
      .Field("status", status)
      .RawField("parameters", parameters_json)
      .RawField("result", result_json)
      .Field("resultTruncated", result_truncated)
      .Field("httpStatus", http_status)
      .Field("error", error)
      .Field("durationMs", duration_ms)
      .Field("node", node)
      .Field("startEventId", start_event_id)
      .Field("createdAt", created_at);
  WriteOptionalInt(w, "startedAt", started_at);
  WriteOptionalInt(w, "finishedAt", finished_at);
  w.EndObject();
  return w.str();
}

Result<ExecutionRow> ExecutionRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  Result<simdjson::dom::object> obj = ParseStoredRow(parser, stored, kVersion);
  if (!obj.ok()) return obj.status();
  ExecutionRow e;
  e.execution_id = StringField(*obj, "executionId");
  e.tool_name = StringField(*obj, "toolName");
  e.session_id = StringField(*obj, "sessionId");
  e.status = StringField(*obj, "status");
  e.parameters_json = RawField(*obj, "parameters", "{}");
  e.result_json = RawField(*obj, "result", "null");
  e.result_truncated = BoolField(*obj, "resultTruncated", false);
  e.http_status = static_cast<int>(IntField(*obj, "httpStatus"));
  e.error = StringField(*obj, "error");
  e.duration_ms = IntField(*obj, "durationMs");
  e.node = StringField(*obj, "node");
  e.start_event_id = StringField(*obj, "startEventId");
  e.created_at = IntField(*obj, "createdAt");
  e.started_at = OptionalIntField(*obj, "startedAt");
  e.finished_at = OptionalIntField(*obj, "finishedAt");
  if (e.execution_id.empty()) return Corruption("stored execution is malformed");
  return e;
}

std::string ToolKey(std::string_view app_id, std::string_view name) {
  return std::string(app_id).append(name);
}

std::string ExecutionKey(std::string_view app_id, std::string_view execution_id) {
  return std::string(app_id).append(execution_id);
}

std::string ExecutionBySessionKey(std::string_view app_id, std::string_view session_id,
                                  int64_t created_at, std::string_view execution_id) {
  return IndexKey(app_id, IndexKind::kExecutionsBySession, session_id, created_at, execution_id);
}

std::string ExecutionByToolKey(std::string_view app_id, std::string_view tool_name,
                               int64_t created_at, std::string_view execution_id) {
  return IndexKey(app_id, IndexKind::kExecutionsByTool, tool_name, created_at, execution_id);
}

std::string OpenExecutionKey(std::string_view node, std::string_view app_id,
                             std::string_view execution_id) {
  std::string key(node);
  key.push_back('\0');
  return key.append(app_id).append(execution_id);
}

Result<std::optional<ToolRow>> ToolsView::Get(std::string_view app_id,
                                              std::string_view name) const {
  std::string stored;
  Result<bool> found = store_.Get(Family(Table::kTools), ToolKey(app_id, name), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ToolRow>();
  thread_local simdjson::dom::parser parser;
  Result<ToolRow> row = ToolRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ToolRow>(std::move(*row));
}

Result<std::vector<ToolRow>> ToolsView::Active(std::string_view app_id, size_t limit) const {
  thread_local simdjson::dom::parser parser;
  std::vector<ToolRow> tools;
  auto it = store_.NewIterator(Family(Table::kTools));
  for (it->Seek(app_id); it->Valid() && it->key().starts_with(app_id); it->Next()) {
    Result<ToolRow> row = ToolRow::Decode(parser, it->value());
    if (!row.ok()) return row.status();
    if (!row->active) continue;
    tools.push_back(std::move(*row));
    if (tools.size() == limit) break;
  }
  VOX_RETURN_IF_ERROR(it->status());
  return tools;
}

Result<std::optional<ExecutionRow>> ToolsView::Execution(std::string_view app_id,
                                                         std::string_view execution_id) const {
  std::string stored;
  Result<bool> found =
      store_.Get(Family(Table::kToolExecutions), ExecutionKey(app_id, execution_id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<ExecutionRow>();
  thread_local simdjson::dom::parser parser;
  Result<ExecutionRow> row = ExecutionRow::Decode(parser, stored);
  if (!row.ok()) return row.status();
  return std::optional<ExecutionRow>(std::move(*row));
}

Result<Page> ToolsView::ExecutionPage(std::string_view app_id, const std::string& prefix,
                                      std::string_view tool_name, size_t limit,
                                      std::string_view cursor) const {
  thread_local simdjson::dom::parser parser;
  return ScanPage(
      store_, Family(Table::kIndexes), app_id, prefix, limit, cursor,
      [&](std::string_view key, std::string_view) -> Result<std::optional<std::string>> {
        Result<std::optional<std::string>> row = GetStoredJson(
            store_, Family(Table::kToolExecutions),
            ExecutionKey(app_id, key.substr(prefix.size() + 8)), ExecutionRow::kVersion);
        if (!row.ok() || !row->has_value() || tool_name.empty()) return row;
        simdjson::dom::object obj;
        std::string_view tool;
        if (parser.parse(**row).get(obj) || obj["toolName"].get(tool) || tool != tool_name) {
          return std::optional<std::string>();
        }
        return row;
      },
      kMaxScannedPerPage);
}

Result<Page> ToolsView::ExecutionsBySession(std::string_view app_id, std::string_view session_id,
                                            std::string_view tool_name, size_t limit,
                                            std::string_view cursor) const {
  std::string prefix = IndexPrefix(app_id, IndexKind::kExecutionsBySession);
  prefix.append(session_id).push_back('\0');
  return ExecutionPage(app_id, prefix, tool_name, limit, cursor);
}

Result<Page> ToolsView::ExecutionsByTool(std::string_view app_id, std::string_view tool_name,
                                         size_t limit, std::string_view cursor) const {
  std::string prefix = IndexPrefix(app_id, IndexKind::kExecutionsByTool);
  prefix.append(tool_name).push_back('\0');
  return ExecutionPage(app_id, prefix, "", limit, cursor);
}

Result<std::vector<OpenExecution>> ToolsView::OpenOnNode(std::string_view node) const {
  std::string prefix(node);
  prefix.push_back('\0');
  std::vector<OpenExecution> open;
  auto it = store_.NewIterator(Family(Table::kOpenExecutions));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view rest = it->key().substr(prefix.size());
    if (rest.size() <= kAppIdLength) return Corruption("open execution key is malformed");
    open.push_back(
        {std::string(rest.substr(0, kAppIdLength)), std::string(rest.substr(kAppIdLength))});
  }
  VOX_RETURN_IF_ERROR(it->status());
  return open;
}

}  // namespace voxbase
