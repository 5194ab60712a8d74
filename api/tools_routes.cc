// Tools: POST/PATCH/GET /api/tools, POST /api/tools/execute, GET /api/tools/executions, and seed
// 003's GET /api/realtime/tools and POST /api/realtime/execute-tool. An execution is recorded as
// started (and applied) before the endpoint is called, and as finished after, on the blocking
// pool; the two execute endpoints differ only in their field names and answer shapes.
#include <cstdio>

#include "api/routes.h"
#include "ingest/tools.h"
#include "projections/apps.h"
#include "projections/tools.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

// OpenAI takes at most 128 tools in a session: an app may have that many active, no more, so
// GET /api/tools and /api/realtime/tools always list them all.
constexpr size_t kMaxTools = 128;

Status CheckRoomForAnActiveTool(ApiContext& api, const std::string& app_id) {
  Result<std::vector<ToolRow>> active = ToolsView(*api.store).Active(app_id, kMaxTools);
  if (!active.ok()) return active.status();
  if (active->size() < kMaxTools) return Status::Ok();
  return Status(StatusCode::kAlreadyExists,
                "the app has " + std::to_string(kMaxTools) +
                    " active tools, as many as a model session takes; deactivate one first");
}

ToolSpec SpecOf(const ToolRow& row) {
  return ToolSpec{row.name,     row.description,           row.schema_json,
                  row.endpoint, row.requires_confirmation, row.timeout_ms,
                  row.active};
}

HttpResponse ToolAnswer(const ProjectionStore& store, const std::string& app_id,
                        const std::string& name, std::string_view event_id, int status) {
  Result<std::optional<ToolRow>> tool = ToolsView(store).Get(app_id, name);
  if (!tool.ok()) return ErrorResponse(tool.status());
  if (!tool->has_value()) return ErrorResponse(404, "no tool named " + name);
  if (!event_id.empty() && (*tool)->event_id != event_id) {
    return ErrorResponse(409, "a tool named " + name + " already exists");
  }
  JsonWriter w;
  w.BeginObject().Key("tool").Raw((*tool)->ToJson()).EndObject();
  return JsonResponse(status, w.str());
}

// How one of the two execute endpoints reads its request and shapes its answers.
struct ExecuteShape {
  std::string_view name_field;        // "toolName" | "name"
  std::string_view parameters_field;  // "parameters" | "args"
  bool seed_003 = false;              // {success, result} / {error} answers
};

HttpResponse OutcomeAnswer(const ExecuteShape& shape, const ExecutionRow& row,
                           std::string_view result_json) {
  JsonWriter w;
  if (row.status == "success") {
    w.BeginObject();
    if (shape.seed_003) {
      w.Field("success", true).RawField("result", result_json);
    } else {
      w.Field("executionId", row.execution_id)
          .Field("status", row.status)
          .RawField("result", result_json);
    }
    w.EndObject();
    return JsonResponse(200, w.str());
  }
  if (row.status == "pending_confirmation") {
    w.BeginObject();
    if (shape.seed_003) w.Field("success", false);
    w.Field("status", row.status).Field("executionId", row.execution_id).EndObject();
    return JsonResponse(202, w.str());
  }
  if (row.status == "started") {
    return ErrorResponse(409, "execution " + row.execution_id + " is still running");
  }
  const std::string why = row.error.empty() ? row.status : row.error;
  if (shape.seed_003) return ErrorResponse(500, "Tool execution failed: " + why);
  int status = row.status == "timeout" ? 504 : (row.status == "rejected" ? 403 : 502);
  w.BeginObject()
      .Field("error", "tool " + row.tool_name + " " + row.status + ": " + why)
      .Field("executionId", row.execution_id)
      .Field("status", row.status)
      .Field("httpStatus", row.http_status)
      .RawField("result", result_json)
      .EndObject();
  return JsonResponse(status, w.str());
}

Result<PreparedWrite> PrepareExecution(ApiContext& api, const ExecuteShape& shape,
                                       const WriteRequest& in) {
  std::string_view tool_name;
  if (shape.seed_003) {
    std::vector<std::string> missing;
    for (std::string_view field : {"name", "args", "sessionId"}) {
      if (in.body[field].error() == simdjson::NO_SUCH_FIELD) missing.emplace_back(field);
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      return InvalidArgument("Missing required fields: " + list);
    }
  }
  if (in.body[shape.name_field].get(tool_name) || tool_name.empty()) {
    return InvalidArgument(std::string(shape.name_field) + " is required");
  }
  Result<std::optional<ToolRow>> tool = ToolsView(*api.store).Get(in.app->app_id, tool_name);
  if (!tool.ok()) return tool.status();
  if (!tool->has_value() || !(*tool)->active) {
    return NotFound("Tool '" + std::string(tool_name.substr(0, 64)) + "' not found");
  }
  const ToolSpec spec = SpecOf(**tool);
  Result<ExecutionCall> call =
      ReadExecutionCall(in.command, spec, *api.schemas, shape.parameters_field);
  if (!call.ok()) return call.status();
  const std::string app_id = in.app->app_id;

  if (in.retry) {
    // An Idempotency-Key retry: answer from the recorded execution, without calling again.
    std::string id =
        call->execution_id.empty() ? ExecutionIdForEvent(in.command.event_id) : call->execution_id;
    Result<std::optional<ExecutionRow>> row = ToolsView(*api.store).Execution(app_id, id);
    if (!row.ok()) return row.status();
    if (!row->has_value()) return NotFound("execution " + id + " not found");
    return Refuse(OutcomeAnswer(shape, **row, (*row)->result_json));
  }
  if (spec.requires_confirmation && !call->confirmed) {
    Event pending = BuildExecutionPending(in.command, spec, *call);
    return WriteThen(
        std::move(pending),
        [&api, shape, app_id, id = ExecutionIdForEvent(in.command.event_id)](const Applied&) {
          Result<std::optional<ExecutionRow>> row = ToolsView(*api.store).Execution(app_id, id);
          if (!row.ok()) return ErrorResponse(row.status());
          if (!row->has_value()) return ErrorResponse(500, "the pending execution is missing");
          return OutcomeAnswer(shape, **row, "null");
        });
  }
  std::string execution_id = ExecutionIdForEvent(in.command.event_id);
  if (!call->execution_id.empty()) {
    Result<std::optional<ExecutionRow>> pending =
        ToolsView(*api.store).Execution(app_id, call->execution_id);
    if (!pending.ok()) return pending.status();
    if (!pending->has_value() || (*pending)->tool_name != spec.name) {
      return NotFound("no execution " + call->execution_id + " of tool " + spec.name);
    }
    if ((*pending)->status != "pending_confirmation") {
      return Status(StatusCode::kAlreadyExists,
                    "execution " + call->execution_id + " is " + (*pending)->status);
    }
    execution_id = call->execution_id;
  }
  Event started = BuildExecutionStarted(in.command, spec, *call, execution_id, api.node_id);
  return WriteThenContinue(std::move(started), [&api, shape, spec, call = *call, app_id,
                                                execution_id](const Applied& applied,
                                                              Respond respond) {
    Result<std::optional<ExecutionRow>> row = ToolsView(*api.store).Execution(app_id, execution_id);
    if (!row.ok()) return respond(ErrorResponse(row.status()));
    if (!row->has_value() || (*row)->start_event_id != applied.event_id) {
      return respond(ErrorResponse(409, "execution " + execution_id + " was started already"));
    }
    ToolOutcome outcome =
        CallTool(*api.http, spec, call, execution_id, api.allow_private_tool_endpoints);
    AppContext app{app_id, false};
    const std::string event_id = api.ids->NewEventId();
    CommandInput finish{&app, {}, api.clock->NowMillis(), &api.limits, event_id, {}};
    Event finished = BuildExecutionFinished(finish, execution_id, outcome);
    AppendAndAnswer(api, finished, std::move(respond),
                    [&api, shape, app_id, execution_id,
                     result = std::move(outcome.result_json)](const Applied&) {
                      Result<std::optional<ExecutionRow>> done =
                          ToolsView(*api.store).Execution(app_id, execution_id);
                      if (!done.ok()) return ErrorResponse(done.status());
                      if (!done->has_value()) return ErrorResponse(500, "execution missing");
                      return OutcomeAnswer(shape, **done, result);
                    });
  });
}

}  // namespace

void AddToolRoutes(Router& router, ApiContext& api) {
  const WriteOptions offload{true};  // registration resolves the endpoint; execution calls it
  AddWriteRoute(
      router, api, "POST", "/api/tools", Access::kSecret,
      [&api](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<ToolCommand> tool =
            BuildToolRegistered(in.command, *api.schemas, !api.allow_private_tool_endpoints);
        if (!tool.ok()) return tool.status();
        if (!in.retry) {
          Result<std::optional<ToolRow>> taken =
              ToolsView(*api.store).Get(in.app->app_id, tool->name);
          if (!taken.ok()) return taken.status();
          if (taken->has_value()) {
            return Status(StatusCode::kAlreadyExists,
                          "a tool named " + tool->name + " already exists");
          }
          VOX_RETURN_IF_ERROR(CheckRoomForAnActiveTool(api, in.app->app_id));
        }
        return WriteThen(std::move(tool->event),
                         [app_id = in.app->app_id, name = tool->name](const Applied& a) {
                           return ToolAnswer(*a.store, app_id, name, a.event_id, 201);
                         });
      },
      offload);

  AddWriteRoute(
      router, api, "PATCH", "/api/tools", Access::kSecret,
      [&api](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<ToolCommand> tool =
            BuildToolUpdated(in.command, *api.schemas, !api.allow_private_tool_endpoints);
        if (!tool.ok()) return tool.status();
        Result<std::optional<ToolRow>> existing =
            ToolsView(*api.store).Get(in.app->app_id, tool->name);
        if (!existing.ok()) return existing.status();
        if (!existing->has_value()) return NotFound("no tool named " + tool->name);
        bool activate = false;
        if (!in.retry && !(*existing)->active && !in.body["active"].get(activate) && activate) {
          VOX_RETURN_IF_ERROR(CheckRoomForAnActiveTool(api, in.app->app_id));
        }
        return WriteThen(std::move(tool->event),
                         [app_id = in.app->app_id, name = tool->name](const Applied& a) {
                           return ToolAnswer(*a.store, app_id, name, "", 200);
                         });
      },
      offload);

  router.Add("GET", "/api/tools", Access::kAgent, [&api](HttpRequest& request, Respond respond) {
    Result<AppContext> app = api.auth->ForQuery(request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    Result<std::vector<ToolRow>> tools = ToolsView(*api.store).Active(app->app_id, kMaxTools);
    if (!tools.ok()) return respond(ErrorResponse(tools.status()));
    JsonWriter w;
    w.BeginObject().Key("tools").BeginArray();
    for (const ToolRow& t : *tools) w.Raw(t.ToJson());
    w.EndArray().EndObject();
    respond(JsonResponse(200, w.str()));
  });

  static const ExecuteShape kExecute{"toolName", "parameters", false};
  static const ExecuteShape kRealtime{"name", "args", true};
  for (const ExecuteShape* shape : {&kExecute, &kRealtime}) {
    AddWriteRoute(
        router, api, "POST", shape->seed_003 ? "/api/realtime/execute-tool" : "/api/tools/execute",
        Access::kSessionWrite,
        [&api, shape](const WriteRequest& in) { return PrepareExecution(api, *shape, in); },
        offload);
  }

  AddListRoute(router, api, "/api/tools/executions", Access::kSessionRead, "executions", {50, 200},
               [&api](const AppContext& app, const HttpRequest& request, size_t limit,
                      std::string_view cursor) -> Result<Page> {
                 std::string_view session = request.Query("sessionId");
                 std::string_view tool = request.Query("toolName");
                 if (!session.empty()) {
                   return ToolsView(*api.store)
                       .ExecutionsBySession(app.app_id, session, tool, limit, cursor);
                 }
                 if (!tool.empty()) {
                   return ToolsView(*api.store).ExecutionsByTool(app.app_id, tool, limit, cursor);
                 }
                 return InvalidArgument("sessionId or toolName is required");
               });

  // Seed 003: the tools as OpenAI function definitions, and the instructions, ready for an OpenAI
  // session.update.
  router.Add(
      "GET", "/api/realtime/tools", Access::kAgent, [&api](HttpRequest& request, Respond respond) {
        Result<AppContext> app = api.auth->ForQuery(request);
        if (!app.ok()) return respond(ErrorResponse(app.status()));
        Result<std::vector<ToolRow>> tools = ToolsView(*api.store).Active(app->app_id, kMaxTools);
        if (!tools.ok()) return respond(ErrorResponse(tools.status()));
        Result<std::optional<AppRecord>> record = AppsView(*api.store).Get(app->app_id);
        if (!record.ok()) return respond(ErrorResponse(record.status()));
        JsonWriter w;
        w.BeginObject().Key("tools").BeginArray();
        for (const ToolRow& t : *tools) {
          w.BeginObject()
              .Field("type", "function")
              .Field("name", t.name)
              .Field("description", t.description)
              .RawField("parameters", t.schema_json)
              .EndObject();
        }
        w.EndArray()
            .Field("instructions", record->has_value() ? (*record)->Instructions() : "")
            .EndObject();
        respond(JsonResponse(200, w.str()));
      });
}

size_t RecordInterruptedExecutions(ApiContext& api) {
  Result<std::vector<OpenExecution>> open = ToolsView(*api.store).OpenOnNode(api.node_id);
  if (!open.ok()) {
    std::fprintf(stderr, "voxbase: cannot list open tool executions: %s\n",
                 open.status().ToString().c_str());
    return 0;
  }
  for (const OpenExecution& e : *open) {
    AppContext app{e.app_id, false};
    const std::string event_id = api.ids->NewEventId();
    CommandInput in{&app, {}, api.clock->NowMillis(), &api.limits, event_id, {}};
    ToolOutcome outcome;
    outcome.status = "interrupted";
    outcome.error = "the node stopped during the call; the endpoint may or may not have acted";
    api.submitter->Submit(BuildExecutionFinished(in, e.execution_id, outcome),
                          [id = e.execution_id](Result<LogPosition> at) {
                            if (!at.ok()) {
                              std::fprintf(stderr, "voxbase: cannot mark %s interrupted: %s\n",
                                           id.c_str(), at.status().ToString().c_str());
                            }
                          });
  }
  return open->size();
}

}  // namespace voxbase
