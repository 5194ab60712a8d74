// Guardrails: rules (POST, GET, PATCH /api/guardrails/rules), the check of a piece of content
// (POST /api/guardrails/check, which records the violations it finds) and the violations of a
// session (GET /api/guardrails/violations). The persona: GET and PATCH /api/persona.
#include "api/routes.h"
#include "ingest/guardrails.h"
#include "projections/apps.h"
#include "projections/guardrails.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

HttpResponse RuleAnswer(const ProjectionStore& store, const std::string& app_id,
                        const std::string& id, int status) {
  Result<std::optional<RuleRow>> row = GuardrailsView(store).Rule(app_id, id);
  if (!row.ok()) return ErrorResponse(row.status());
  if (!row->has_value()) return ErrorResponse(404, "no rule " + id);
  JsonWriter w;
  w.BeginObject().Field("ruleId", id).Key("rule").Raw((*row)->ToJson()).EndObject();
  return JsonResponse(status, w.str());
}

std::string CheckAnswer(const CheckRequest& request, const GuardrailResult& result) {
  JsonWriter w;
  w.BeginObject().Field("allowed", result.allowed).Key("violations").BeginArray();
  for (const GuardrailViolation& v : result.violations) {
    w.BeginObject()
        .Field("ruleId", v.rule->rule_id)
        .Field("name", v.rule->name)
        .Field("type", v.rule->type)
        .Field("action", v.rule->action)
        .Key("match");
    if (v.start < 0) {
      w.Null();
    } else {
      w.BeginObject()
          .Field("start", v.start)
          .Field("end", v.end)
          .Field("text",
                 std::string_view(request.content)
                     .substr(static_cast<size_t>(v.start), static_cast<size_t>(v.end - v.start)))
          .EndObject();
    }
    w.EndObject();
  }
  w.EndArray().Key("redactedContent");
  result.redacted ? w.String(result.redacted_text) : w.Null();
  w.EndObject();
  return w.str();
}

HttpResponse PersonaAnswer(const ProjectionStore& store, const std::string& app_id) {
  Result<std::optional<AppRecord>> app = AppsView(store).Get(app_id);
  if (!app.ok()) return ErrorResponse(app.status());
  if (!app->has_value()) return ErrorResponse(404, "app not found");
  const AppRecord& a = **app;
  JsonWriter w;
  w.BeginObject()
      .Field("personaName", a.persona_name)
      .Field("personaTone", a.persona_tone)
      .Field("personaGreeting", a.persona_greeting)
      .Field("preferredTerms", a.preferred_terms)
      .Field("blockedTerms", a.blocked_terms)
      .Field("instructions", a.Instructions())
      .EndObject();
  return JsonResponse(200, w.str());
}

}  // namespace

void AddGuardrailRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(router, api, "POST", "/api/guardrails/rules", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<RuleCommand> rule = BuildRuleCreated(in.command);
                  if (!rule.ok()) return rule.status();
                  return WriteThen(std::move(rule->event),
                                   [app_id = in.app->app_id, id = rule->rule_id](const Applied& a) {
                                     return RuleAnswer(*a.store, app_id, id, 201);
                                   });
                });

  AddWriteRoute(router, api, "PATCH", "/api/guardrails/rules", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<RuleCommand> rule = BuildRuleUpdated(in.command);
                  if (!rule.ok()) return rule.status();
                  Result<std::optional<RuleRow>> existing =
                      GuardrailsView(*api.store).Rule(in.app->app_id, rule->rule_id);
                  if (!existing.ok()) return existing.status();
                  if (!existing->has_value()) return NotFound("no rule " + rule->rule_id);
                  std::string_view pattern;
                  if (!in.body["pattern"].get(pattern)) {
                    const GuardrailRule& r = (*existing)->rule;
                    VOX_RETURN_IF_ERROR(CheckGuardrailPattern(r.type, pattern, r.pack));
                  }
                  return WriteThen(std::move(rule->event),
                                   [app_id = in.app->app_id, id = rule->rule_id](const Applied& a) {
                                     return RuleAnswer(*a.store, app_id, id, 200);
                                   });
                });

  AddListRoute(router, api, "/api/guardrails/rules", Access::kOperator, "rules", {1000, 1000},
               [&api](const AppContext& app, const HttpRequest&, size_t limit,
                      std::string_view cursor) -> Result<Page> {
                 Result<std::vector<RuleRow>> rules = GuardrailsView(*api.store).Rules(app.app_id);
                 if (!rules.ok()) return rules.status();
                 std::vector<OrderedRow> rows;
                 rows.reserve(rules->size());
                 for (const RuleRow& r : *rules) {
                   rows.push_back({CreatedOrderKey(r.created_at, r.rule.rule_id), r.ToJson()});
                 }
                 return OrderedPage(rows, limit, cursor);
               });

  AddWriteRoute(router, api, "POST", "/api/guardrails/check", Access::kSessionWrite,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<CheckRequest> request = ReadCheckRequest(in.command);
                  if (!request.ok()) return request.status();
                  Result<std::shared_ptr<const GuardrailMatcher>> matcher =
                      api.guardrails->For(*api.store, in.app->app_id, request->direction);
                  if (!matcher.ok()) return matcher.status();
                  GuardrailResult result = (*matcher)->Check(request->content);
                  std::string answer = CheckAnswer(*request, result);
                  if (result.violations.empty()) {
                    return AnswerWithoutWrite(JsonResponse(200, std::move(answer)));
                  }
                  return WriteThen(BuildViolationsRecorded(in.command, *request, result),
                                   [answer = std::move(answer)](const Applied&) {
                                     return JsonResponse(200, answer);
                                   });
                });

  AddListRoute(router, api, "/api/guardrails/violations", Access::kOperator, "violations",
               {100, 1000},
               [&api](const AppContext& app, const HttpRequest& request, size_t limit,
                      std::string_view cursor) -> Result<Page> {
                 std::string_view session = request.Query("sessionId");
                 if (session.empty()) return InvalidArgument("sessionId is required");
                 return GuardrailsView(*api.store).Violations(app.app_id, session, limit, cursor);
               });

  router.Add("GET", "/api/persona", Access::kAgent, [&api](HttpRequest& request, Respond respond) {
    Result<AppContext> app = api.auth->ForQuery(request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    respond(PersonaAnswer(*api.store, app->app_id));
  });

  AddWriteRoute(router, api, "PATCH", "/api/persona", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<Event> event = BuildPersonaUpdated(in.command);
                  if (!event.ok()) return event.status();
                  return WriteThen(std::move(*event), [app_id = in.app->app_id](const Applied& a) {
                    return PersonaAnswer(*a.store, app_id);
                  });
                });
}

}  // namespace voxbase
