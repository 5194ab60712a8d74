// Experiments: POST/GET/PATCH /api/experiments, POST /api/experiments/assign (sticky and
// deterministic) and GET /api/experiments/results (kept by the folds as conversations and
// ratings arrive).
#include "api/routes.h"
#include "ingest/experiments.h"
#include "projections/experiments.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

HttpResponse ExperimentAnswer(const ProjectionStore& store, const std::string& app_id,
                              const std::string& id, int status) {
  Result<std::optional<ExperimentRow>> row = ExperimentsView(store).Get(app_id, id);
  if (!row.ok()) return ErrorResponse(row.status());
  if (!row->has_value()) return ErrorResponse(404, "no experiment " + id);
  JsonWriter w;
  w.BeginObject()
      .Field("experimentId", id)
      .Key("experiment")
      .Raw((*row)->ToJson(false))
      .EndObject();
  return JsonResponse(status, w.str());
}

HttpResponse AssignAnswer(const ExperimentRow& experiment, const ExposureRow& exposure,
                          bool already) {
  const VariantRow* variant = experiment.Variant(exposure.variant_id);
  JsonWriter w;
  w.BeginObject()
      .Field("variantId", exposure.variant_id)
      .Field("alreadyAssigned", already)
      .RawField("config", variant ? variant->config_json : "null")
      .EndObject();
  return JsonResponse(200, w.str());
}

double Rate(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

void AddExperimentRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(router, api, "POST", "/api/experiments", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<ExperimentCommand> e = BuildExperimentCreated(in.command);
                  if (!e.ok()) return e.status();
                  return WriteThen(std::move(e->event), [app_id = in.app->app_id,
                                                         id = e->experiment_id](const Applied& a) {
                    return ExperimentAnswer(*a.store, app_id, id, 201);
                  });
                });

  AddWriteRoute(router, api, "PATCH", "/api/experiments", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<ExperimentCommand> e = BuildExperimentUpdated(in.command);
                  if (!e.ok()) return e.status();
                  Result<std::optional<ExperimentRow>> existing =
                      ExperimentsView(*api.store).Get(in.app->app_id, e->experiment_id);
                  if (!existing.ok()) return existing.status();
                  if (!existing->has_value()) return NotFound("no experiment " + e->experiment_id);
                  return WriteThen(std::move(e->event), [app_id = in.app->app_id,
                                                         id = e->experiment_id](const Applied& a) {
                    return ExperimentAnswer(*a.store, app_id, id, 200);
                  });
                });

  AddListRoute(
      router, api, "/api/experiments", Access::kOperator, "experiments", {1000, 1000},
      [&api](const AppContext& app, const HttpRequest&, size_t limit,
             std::string_view cursor) -> Result<Page> {
        Result<std::vector<ExperimentRow>> experiments =
            ExperimentsView(*api.store).List(app.app_id);
        if (!experiments.ok()) return experiments.status();
        std::vector<OrderedRow> rows;
        rows.reserve(experiments->size());
        for (const ExperimentRow& e : *experiments) {
          rows.push_back({CreatedOrderKey(e.created_at, e.experiment_id), e.ToJson(false)});
        }
        return OrderedPage(rows, limit, cursor);
      });

  AddWriteRoute(
      router, api, "POST", "/api/experiments/assign", Access::kSessionWrite,
      [&api](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<AssignRequest> request = ReadAssignRequest(in.command);
        if (!request.ok()) return request.status();
        ExperimentsView view(*api.store);
        const std::string app_id = in.app->app_id;
        Result<std::optional<ExperimentRow>> experiment = view.Get(app_id, request->experiment_id);
        if (!experiment.ok()) return experiment.status();
        if (!experiment->has_value()) return NotFound("no experiment " + request->experiment_id);
        Result<std::optional<ExposureRow>> exposure =
            view.Exposure(app_id, request->experiment_id, request->session_id);
        if (!exposure.ok()) return exposure.status();
        if (exposure->has_value() && (*exposure)->event_id != in.command.event_id) {
          return AnswerWithoutWrite(AssignAnswer(**experiment, **exposure, true));
        }
        if ((*experiment)->status != "running") {
          return Status(StatusCode::kAlreadyExists,
                        "experiment " + request->experiment_id +
                            " is stopped: it keeps its assignments and makes no new ones");
        }
        std::vector<VariantWeight> weights;
        for (const VariantRow& v : (*experiment)->variants) weights.push_back({v.id, v.weight});
        std::string variant = AssignVariant(request->experiment_id, request->session_id, weights);
        return WriteThen(BuildExperimentAssigned(in.command, *request, variant),
                         [app_id, request = *request](const Applied& applied) {
                           ExperimentsView now(*applied.store);
                           Result<std::optional<ExperimentRow>> e =
                               now.Get(app_id, request.experiment_id);
                           Result<std::optional<ExposureRow>> x =
                               now.Exposure(app_id, request.experiment_id, request.session_id);
                           if (!e.ok()) return ErrorResponse(e.status());
                           if (!x.ok()) return ErrorResponse(x.status());
                           if (!e->has_value() || !x->has_value()) {
                             return ErrorResponse(409, "experiment " + request.experiment_id +
                                                           " was stopped before this assignment");
                           }
                           return AssignAnswer(**e, **x, (*x)->event_id != applied.event_id);
                         });
      });

  router.Add("GET", "/api/experiments/results", Access::kOperator,
             [&api](HttpRequest& request, Respond respond) {
               Result<AppContext> app = api.auth->ForQuery(request);
               if (!app.ok()) return respond(ErrorResponse(app.status()));
               std::string_view id = request.Query("experimentId");
               if (id.empty()) return respond(ErrorResponse(400, "experimentId is required"));
               Result<std::optional<ExperimentRow>> row =
                   ExperimentsView(*api.store).Get(app->app_id, id);
               if (!row.ok()) return respond(ErrorResponse(row.status()));
               if (!row->has_value())
                 return respond(ErrorResponse(404, "no experiment " + std::string(id)));
               const ExperimentRow& e = **row;
               JsonWriter w;
               w.BeginObject()
                   .Field("experimentId", e.experiment_id)
                   .Field("name", e.name)
                   .Field("status", e.status)
                   .Key("variants")
                   .BeginArray();
               for (const VariantRow& v : e.variants) {
                 w.BeginObject()
                     .Field("variantId", v.id)
                     .Field("exposures", v.exposures)
                     .Field("resolutionRate", Rate(v.resolved, v.exposures))
                     .Field("handoffRate", Rate(v.handed_off, v.exposures))
                     .Key("avgCsat");
                 v.csat_count ? w.Double(Rate(v.csat_sum, v.csat_count)) : w.Null();
                 w.Field("csatCount", v.csat_count).EndObject();
               }
               w.EndArray().EndObject();
               respond(JsonResponse(200, w.str()));
             });
}

}  // namespace voxbase
