#include "ingest/tools.h"

#include "schemas/json_writer.h"

namespace voxbase {
namespace {

constexpr size_t kMaxToolNameBytes = 64;
constexpr size_t kMaxDescriptionBytes = 4096;
constexpr size_t kMaxEndpointBytes = 2048;
constexpr size_t kMaxSchemaBytes = 64 * 1024;
constexpr size_t kMaxParametersBytes = 64 * 1024;
constexpr size_t kMaxToolAnswerBytes = 1 << 20;
constexpr std::string_view kEmptySchema = R"({"type":"object","properties":{}})";

Status CheckToolName(std::string_view name) {
  if (name.empty() || name.size() > kMaxToolNameBytes) {
    return InvalidArgument("name must be 1 to 64 characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return InvalidArgument("name may contain only A-Z, a-z, 0-9, '_' and '-'");
  }
  return Status::Ok();
}

// parametersSchema as a JSON string (seed 001) or an object; compiled to check it is one.
Status ReadSchema(const CommandInput& in, SchemaCache& schemas, std::optional<std::string>* out) {
  simdjson::dom::element value;
  if (in.body["parametersSchema"].get(value) || value.is_null()) return Status::Ok();
  std::string text;
  std::string_view s;
  if (!value.get(s)) {
    text = std::string(s);
  } else if (value.is_object()) {
    text = simdjson::minify(value);
  } else {
    return InvalidArgument("parametersSchema must be a JSON Schema, as an object or a string");
  }
  if (text.size() > kMaxSchemaBytes) {
    return InvalidArgument("parametersSchema must be at most 65536 bytes");
  }
  Result<std::shared_ptr<const JsonSchema>> compiled = schemas.Get(text);
  if (!compiled.ok()) return compiled.status();
  // Stored minified, whichever way it came.
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (parser.parse(text).get(parsed)) return InvalidArgument("parametersSchema is not valid JSON");
  *out = simdjson::minify(parsed);
  return Status::Ok();
}

Status ReadEndpoint(const CommandInput& in, Presence presence, bool guard,
                    std::optional<std::string_view>* out) {
  VOX_RETURN_IF_ERROR(ReadString(in.body, "endpoint", presence, kMaxEndpointBytes, out));
  if (!*out) return Status::Ok();
  Status form = CheckOutboundUrl(**out);
  if (!form.ok()) return InvalidArgument("endpoint: " + form.message());
  if (guard) {
    Status host = CheckOutboundHost(**out);
    if (!host.ok()) {
      return InvalidArgument("endpoint refused: " + host.message() +
                             " (the server flag --allow-private-tool-endpoints allows it)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ToolCommand> BuildToolRegistered(const CommandInput& in, SchemaCache& schemas,
                                        bool guard_endpoints) {
  std::optional<std::string_view> name, description, endpoint;
  std::optional<bool> confirmation;
  std::optional<int64_t> timeout;
  std::optional<std::string> schema;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "name", Presence::kRequired, kMaxToolNameBytes, &name));
  VOX_RETURN_IF_ERROR(CheckToolName(*name));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "description", Presence::kOptional, kMaxDescriptionBytes, &description));
  VOX_RETURN_IF_ERROR(ReadSchema(in, schemas, &schema));
  if (in.body["endpoint"].error() == simdjson::NO_SUCH_FIELD) {
    return InvalidArgument("endpoint is required: a tool must have an endpoint to call");
  }
  VOX_RETURN_IF_ERROR(ReadEndpoint(in, Presence::kRequired, guard_endpoints, &endpoint));
  VOX_RETURN_IF_ERROR(
      ReadBool(in.body, "requiresConfirmation", Presence::kOptional, &confirmation));
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "timeoutMs", Presence::kOptional, 1, kMaxToolTimeoutMs, &timeout));
  JsonWriter w;
  w.BeginObject()
      .Field("name", *name)
      .Field("description", description.value_or(""))
      .RawField("parametersSchema", schema.value_or(std::string(kEmptySchema)))
      .Field("endpoint", *endpoint)
      .Field("requiresConfirmation", confirmation.value_or(false))
      .Field("timeoutMs", timeout.value_or(kDefaultToolTimeoutMs))
      .EndObject();
  return ToolCommand{NewEvent(in, EventType::kToolRegistered, w.str()), std::string(*name)};
}

Result<ToolCommand> BuildToolUpdated(const CommandInput& in, SchemaCache& schemas,
                                     bool guard_endpoints) {
  std::optional<std::string_view> name, description, endpoint;
  std::optional<bool> confirmation, active;
  std::optional<int64_t> timeout;
  std::optional<std::string> schema;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "name", Presence::kRequired, kMaxToolNameBytes, &name));
  VOX_RETURN_IF_ERROR(CheckToolName(*name));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "description", Presence::kOptional, kMaxDescriptionBytes, &description));
  VOX_RETURN_IF_ERROR(ReadSchema(in, schemas, &schema));
  VOX_RETURN_IF_ERROR(ReadEndpoint(in, Presence::kOptional, guard_endpoints, &endpoint));
  VOX_RETURN_IF_ERROR(
      ReadBool(in.body, "requiresConfirmation", Presence::kOptional, &confirmation));
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "active", Presence::kOptional, &active));
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "timeoutMs", Presence::kOptional, 1, kMaxToolTimeoutMs, &timeout));
  if (!description && !schema && !endpoint && !confirmation && !active && !timeout) {
    return InvalidArgument(
        "nothing to change: give description, parametersSchema, endpoint, requiresConfirmation, "
        "timeoutMs or active");
  }
  JsonWriter w;
  w.BeginObject().Field("name", *name);
  if (description) w.Field("description", *description);
  if (schema) w.RawField("parametersSchema", *schema);
  if (endpoint) w.Field("endpoint", *endpoint);
  if (confirmation) w.Field("requiresConfirmation", *confirmation);
  if (timeout) w.Field("timeoutMs", *timeout);
  if (active) w.Field("active", *active);
  w.EndObject();
  return ToolCommand{NewEvent(in, EventType::kToolUpdated, w.str()), std::string(*name)};
}

std::string ExecutionIdForEvent(std::string_view event_id) {
  return "exec_" + std::string(EventIdSuffix(event_id));
}

Result<ExecutionCall> ReadExecutionCall(const CommandInput& in, const ToolSpec& tool,
                                        SchemaCache& schemas, std::string_view parameters_field) {
  ExecutionCall call;
  std::optional<std::string_view> session_id, execution_id;
  std::optional<bool> confirmed;
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, "", &session_id));
  call.session_id = std::string(*session_id);
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "confirmed", Presence::kOptional, &confirmed));
  call.confirmed = confirmed.value_or(false);
  VOX_RETURN_IF_ERROR(ReadString(in.body, "executionId", Presence::kOptional, 64, &execution_id));
  if (execution_id) call.execution_id = std::string(*execution_id);
  simdjson::dom::element parameters;
  if (in.body[parameters_field].get(parameters) || parameters.is_null()) {
    call.parameters_json = "{}";
  } else {
    if (!parameters.is_object()) {
      return InvalidArgument(std::string(parameters_field) + " must be an object");
    }
    call.parameters_json = simdjson::minify(parameters);
  }
  if (call.parameters_json.size() > kMaxParametersBytes) {
    return InvalidArgument(std::string(parameters_field) + " must be at most 65536 bytes");
  }
  Result<std::shared_ptr<const JsonSchema>> schema = schemas.Get(tool.schema_json);
  if (!schema.ok()) return Internal("the stored schema of tool " + tool.name + " does not compile");
  VOX_RETURN_IF_ERROR((*schema)->Validate(call.parameters_json, parameters_field));
  return call;
}

namespace {

void ExecutionFields(JsonWriter& w, const ToolSpec& tool, const ExecutionCall& call,
                     std::string_view execution_id) {
  w.Field("executionId", execution_id)
      .Field("toolName", tool.name)
      .Field("sessionId", call.session_id)
      .RawField("parameters", call.parameters_json);
}

}  // namespace

Event BuildExecutionPending(const CommandInput& in, const ToolSpec& tool,
                            const ExecutionCall& call) {
  JsonWriter w;
  w.BeginObject();
  ExecutionFields(w, tool, call, ExecutionIdForEvent(in.event_id));
  w.EndObject();
  return NewEvent(in, EventType::kToolExecutionPending, w.str());
}

Event BuildExecutionStarted(const CommandInput& in, const ToolSpec& tool, const ExecutionCall& call,
                            std::string_view execution_id, std::string_view node_id) {
  JsonWriter w;
  w.BeginObject();
  ExecutionFields(w, tool, call, execution_id);
  w.Field("endpoint", tool.endpoint).Field("node", node_id).EndObject();
  return NewEvent(in, EventType::kToolExecutionStarted, w.str());
}

ToolOutcome CallTool(HttpClient& http, const ToolSpec& tool, const ExecutionCall& call,
                     std::string_view execution_id, bool allow_private) {
  JsonWriter body;
  body.BeginObject()
      .Field("toolName", tool.name)
      .RawField("parameters", call.parameters_json)
      .Field("sessionId", call.session_id)
      .Field("executionId", execution_id)
      .EndObject();
  OutboundRequest request;
  request.url = tool.endpoint;
  request.body = body.str();
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.timeout = std::chrono::milliseconds(tool.timeout_ms);
  request.max_response_bytes = kMaxToolAnswerBytes;
  request.allow_private = allow_private;
  ToolOutcome outcome;
  Result<OutboundResponse> response = http.Send(request);
  if (!response.ok()) {
    const StatusCode code = response.status().code();
    outcome.status = code == StatusCode::kDeadlineExceeded   ? "timeout"
                     : code == StatusCode::kPermissionDenied ? "rejected"
                                                             : "error";
    outcome.error = response.status().message();
    return outcome;
  }
  outcome.http_status = response->status;
  outcome.duration_ms = response->duration_ms;
  simdjson::dom::parser parser;
  simdjson::dom::element answer;
  const bool is_json = !parser.parse(response->body).get(answer);
  if (is_json) outcome.result_json = simdjson::minify(answer);
  if (response->status < 200 || response->status >= 300) {
    outcome.status = "error";
    outcome.error = "the endpoint answered HTTP " + std::to_string(response->status);
  } else if (!is_json) {
    outcome.status = "error";
    outcome.error = "the endpoint answered with something other than JSON";
  } else {
    outcome.status = "success";
  }
  return outcome;
}

Event BuildExecutionFinished(const CommandInput& in, std::string_view execution_id,
                             const ToolOutcome& outcome) {
  JsonWriter w;
  w.BeginObject()
      .Field("executionId", execution_id)
      .Field("status", outcome.status)
      .Field("httpStatus", outcome.http_status);
  if (outcome.result_json.size() <= kMaxToolResultBytes) {
    w.RawField("result", outcome.result_json).Field("resultTruncated", false);
  } else {
    w.Key("result").Null().Field("resultTruncated", true);
  }
  w.Field("error", outcome.error).Field("durationMs", outcome.duration_ms).EndObject();
  return NewEvent(in, EventType::kToolExecutionFinished, w.str());
}

}  // namespace voxbase
