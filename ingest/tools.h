// Tools and their executions: registering a tool (POST /api/tools), changing it (PATCH), and the
// three events of an execution — pending (awaiting confirmation), started (recorded before the
// call) and finished (recorded after it, with a terminal status) — plus the call itself.
//
// Every execution ends in a terminal status: success, error (the endpoint answered non-2xx or
// non-JSON), timeout, rejected (the outbound guard refused the endpoint) or interrupted (the node
// died mid-call; recorded at its next start). Thread-safe.
#pragma once

#include <string>

#include "ingest/command.h"
#include "ingest/json_schema.h"
#include "ingest/outbound/http_client.h"

namespace voxbase {

// What an execution needs to know of a tool (read from the tools projection by the caller).
struct ToolSpec {
  std::string name;
  std::string description;
  std::string schema_json;
  std::string endpoint;
  bool requires_confirmation = false;
  int64_t timeout_ms = 10000;
  bool active = true;
};

inline constexpr int64_t kDefaultToolTimeoutMs = 10000;
inline constexpr int64_t kMaxToolTimeoutMs = 60000;
inline constexpr size_t kMaxToolResultBytes = 64 * 1024;  // kept in the execution row

struct ToolCommand {
  Event event;
  std::string name;
};

// POST /api/tools. `guard_endpoints`: the endpoint must resolve to an address the guard allows.
Result<ToolCommand> BuildToolRegistered(const CommandInput& in, SchemaCache& schemas,
                                        bool guard_endpoints);
// PATCH /api/tools: name plus the fields to change; `active: false` deactivates.
Result<ToolCommand> BuildToolUpdated(const CommandInput& in, SchemaCache& schemas,
                                     bool guard_endpoints);

// The execution id a pending or started event introduces.
std::string ExecutionIdForEvent(std::string_view event_id);

struct ExecutionCall {
  std::string session_id;
  std::string parameters_json;  // checked against the tool's schema
  bool confirmed = false;
  std::string execution_id;  // given when confirming a pending execution
};

// Reads {sessionId, parameters, confirmed, executionId} (field names per endpoint) and checks the
// parameters against the tool's schema.
Result<ExecutionCall> ReadExecutionCall(const CommandInput& in, const ToolSpec& tool,
                                        SchemaCache& schemas, std::string_view parameters_field);

Event BuildExecutionPending(const CommandInput& in, const ToolSpec& tool,
                            const ExecutionCall& call);
Event BuildExecutionStarted(const CommandInput& in, const ToolSpec& tool, const ExecutionCall& call,
                            std::string_view execution_id, std::string_view node_id);

struct ToolOutcome {
  std::string status;  // success, error, timeout, rejected
  int http_status = 0;
  std::string result_json = "null";  // the endpoint's JSON answer, when it sent one
  std::string error;
  int64_t duration_ms = 0;
};

// POSTs {toolName, parameters, sessionId, executionId} to the endpoint within the tool's timeout.
ToolOutcome CallTool(HttpClient& http, const ToolSpec& tool, const ExecutionCall& call,
                     std::string_view execution_id, bool allow_private);

Event BuildExecutionFinished(const CommandInput& in, std::string_view execution_id,
                             const ToolOutcome& outcome);

}  // namespace voxbase
