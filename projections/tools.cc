#include "projections/tools.h"

#include "projections/row_codec.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxScannedPerPage = 10000;

std::string IndexKey(std::string_view app_id, IndexKind kind, std::string_view group,
                     int64_t created_at, std::string_view execution_id) {
  std::string key = IndexPrefix(app_id, kind);
  key.append(group).push_back('\0');
  AppendBigEndian64(&key, static_cast<uint64_t>(created_at));
  key.append(execution_id);
  return key;
}

}  // namespace

namespace {

constexpr auto kToolFields = std::make_tuple(
    Required(Col("name", &ToolRow::name)), Col("description", &ToolRow::description),
    RawCol("parametersSchema", &ToolRow::schema_json), Col("endpoint", &ToolRow::endpoint),
    Col("requiresConfirmation", &ToolRow::requires_confirmation),
    Col("timeoutMs", &ToolRow::timeout_ms), Col("active", &ToolRow::active),
    Col("eventId", &ToolRow::event_id), Col("createdAt", &ToolRow::created_at),
    Col("updatedAt", &ToolRow::updated_at));

constexpr auto kExecutionFields = std::make_tuple(
    Required(Col("executionId", &ExecutionRow::execution_id)),
    Col("toolName", &ExecutionRow::tool_name), Col("sessionId", &ExecutionRow::session_id),
    Col("status", &ExecutionRow::status), RawCol("parameters", &ExecutionRow::parameters_json),
    RawCol("result", &ExecutionRow::result_json),
    Col("resultTruncated", &ExecutionRow::result_truncated),
    Col("httpStatus", &ExecutionRow::http_status), Col("error", &ExecutionRow::error),
    Col("durationMs", &ExecutionRow::duration_ms), Col("node", &ExecutionRow::node),
    Col("startEventId", &ExecutionRow::start_event_id), Col("createdAt", &ExecutionRow::created_at),
    Col("startedAt", &ExecutionRow::started_at), Col("finishedAt", &ExecutionRow::finished_at));

}  // namespace

std::string ToolRow::ToJson() const { return RowJson(*this, kToolFields); }

Result<ToolRow> ToolRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<ToolRow>(parser, stored, kVersion, kToolFields, "tool");
}

std::string ExecutionRow::ToJson() const { return RowJson(*this, kExecutionFields); }

Result<ExecutionRow> ExecutionRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<ExecutionRow>(parser, stored, kVersion, kExecutionFields, "execution");
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
