// The knowledge base: POST/GET/DELETE /api/knowledge, POST /api/knowledge/search, and
// GET/PATCH /api/knowledge/gaps.
//
// A save embeds on the blocking pool (the embedder may call out) and answers once applied. A
// search embeds the query (inline for the local embedder, on the blocking pool for a remote one),
// answers from the in-memory index, and only then appends its knowledge.searched record for gap
// detection, without waiting for it: gap detection never delays an answer, and a search that
// fails to record is counted by the log, not shown to the caller.
#include "api/routes.h"
#include "ingest/knowledge.h"
#include "projections/apps.h"
#include "projections/knowledge.h"
#include "projections/rows.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

struct KnowledgeSettings {
  const Embedder* embedder = nullptr;
  float gap_threshold = 0;
};

Result<KnowledgeSettings> SettingsFor(const ApiContext& api, std::string_view app_id) {
  Result<std::optional<AppRecord>> app = AppsView(*api.store).Get(app_id);
  if (!app.ok()) return app.status();
  if (!app->has_value()) return NotFound("the app is gone");
  Result<const Embedder*> embedder = api.embedders->Get((*app)->embedder);
  if (!embedder.ok()) return embedder.status();
  KnowledgeSettings s;
  s.embedder = *embedder;
  s.gap_threshold = (*app)->gap_threshold ? static_cast<float>(*(*app)->gap_threshold)
                                          : (*embedder)->default_gap_threshold();
  return s;
}

HttpResponse DocumentAnswer(const ProjectionStore& store, std::string_view app_id,
                            std::string_view document_id, std::string_view event_id) {
  thread_local simdjson::dom::parser parser;
  Result<std::optional<std::string>> row = KnowledgeView(store).GetDocument(app_id, document_id);
  if (!row.ok()) return ErrorResponse(row.status());
  if (!row->has_value()) return ErrorResponse(500, "the document is missing");
  simdjson::dom::object doc;
  if (parser.parse(**row).get(doc)) return ErrorResponse(500, "the document row is malformed");
  const int64_t created_at = IntField(doc, "createdAt");
  const bool created =
      created_at == IntField(doc, "updatedAt") && StringField(doc, "lastEventId") == event_id;
  JsonWriter w;
  w.BeginObject()
      .Field("ok", true)
      .Field("documentId", document_id)
      // The write that made the document, not an update of it (the same on a retried request).
      .Field("created", created)
      .Field("chunks", IntField(doc, "chunks"))
      .Field("embedder", StringField(doc, "embedder"))
      .EndObject();
  return JsonResponse(200, w.str());
}

void WriteHits(JsonWriter& w, const KnowledgeResults& results) {
  w.Key("results").BeginArray();
  for (const KnowledgeHit& h : results.hits) {
    w.BeginObject()
        .Field("documentId", h.document_id)
        .Field("title", h.title)
        .Field("category", h.category)
        .Field("chunk", h.chunk)
        .Field("chunkIndex", static_cast<int64_t>(h.chunk_index))
        .Field("score", static_cast<double>(h.score))
        .Field("textScore", static_cast<double>(h.text_score))
        .EndObject();
  }
  w.EndArray();
}

// Embeds, searches, answers, then records the search for gap detection.
void Search(ApiContext& api, AppContext app, SearchInput search, KnowledgeSettings settings,
            Respond respond) {
  Result<std::vector<std::vector<float>>> vectors = settings.embedder->Embed({search.query});
  if (!vectors.ok()) return respond(CallerError(&app, vectors.status()));
  const std::vector<float>& vector = vectors->front();
  KnowledgeQuery query;
  query.text = search.query;
  query.embedder = settings.embedder->name();
  query.vector = &vector;
  query.top_k = search.top_k;
  if (search.category) query.category = *search.category;
  query.min_score = search.min_score;
  KnowledgeResults results = api.knowledge->Search(app.app_id, query);
  JsonWriter w;
  w.BeginObject();
  WriteHits(w, results);
  w.Field("embedder", settings.embedder->name()).EndObject();
  respond(JsonResponse(200, w.str()));

  const std::string event_id = api.ids->NewEventId();
  CommandInput in{&app, {}, api.clock->NowMillis(), &api.limits, event_id, api.token_key};
  Event searched = BuildSearched(in, search, settings.embedder->name(), vector, results.best_score,
                                 results.best_document_id, settings.gap_threshold);
  api.submitter->Submit(searched, [](Result<LogPosition>) {});
}

}  // namespace

void AddKnowledgeRoutes(Router& router, ApiContext& api) {
  AddWriteRoute(
      router, api, "POST", "/api/knowledge", Access::kSecret,
      [&api](const WriteRequest& in) -> Result<PreparedWrite> {
        Result<DocumentInput> doc = ReadDocumentInput(in.body);
        if (!doc.ok()) return doc.status();
        Result<KnowledgeSettings> settings = SettingsFor(api, in.app->app_id);
        if (!settings.ok()) return settings.status();
        std::string id;
        bool by_title = false;
        if (doc->document_id) {
          id = *doc->document_id;
        } else {
          Result<std::optional<std::string>> titled =
              KnowledgeView(*api.store).DocumentIdForTitle(in.app->app_id, doc->title);
          if (!titled.ok()) return titled.status();
          by_title = titled->has_value();
          id = by_title ? **titled : NewDocumentId(in.command.event_id);
        }
        Result<Event> event = BuildDocumentSaved(in.command, *doc, id, by_title,
                                                 *settings->embedder, settings->gap_threshold);
        if (!event.ok()) return event.status();
        return WriteThen(std::move(*event), [app_id = in.app->app_id, id](const Applied& a) {
          return DocumentAnswer(*a.store, app_id, id, a.event_id);
        });
      },
      WriteOptions{.offload = true});

  AddWriteRoute(router, api, "DELETE", "/api/knowledge", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<std::string> id = ReadDocumentId(in.body);
                  if (!id.ok()) return id.status();
                  if (!in.retry) {
                    Result<std::optional<std::string>> row =
                        KnowledgeView(*api.store).GetDocument(in.app->app_id, *id);
                    if (!row.ok()) return row.status();
                    if (!row->has_value()) return NotFound("no document with that documentId");
                  }
                  JsonWriter w;
                  w.BeginObject()
                      .Field("ok", true)
                      .Field("documentId", *id)
                      .Field("deleted", true)
                      .EndObject();
                  return WriteThen(
                      BuildDocumentDeleted(in.command, *id),
                      [answer = w.str()](const Applied&) { return JsonResponse(200, answer); });
                });

  router.Add(
      "GET", "/api/knowledge", Access::kOperator, [&api](HttpRequest& request, Respond respond) {
        Result<AppContext> app = api.auth->ForQuery(request);
        if (!app.ok()) return respond(ErrorResponse(app.status()));
        std::string_view id = request.Query("documentId");
        if (!id.empty()) {
          Result<std::optional<std::string>> row =
              KnowledgeView(*api.store).GetDocument(app->app_id, id);
          if (!row.ok()) return respond(ErrorResponse(row.status()));
          if (!row->has_value())
            return respond(ErrorResponse(404, "no document with that documentId"));
          JsonWriter w;
          w.BeginObject().RawField("document", **row).EndObject();
          return respond(JsonResponse(200, w.str()));
        }
        AnswerList(
            api, *app, request, respond, "documents", PageSize{50, 200},
            [&api](const AppContext& a, const HttpRequest& r, size_t limit,
                   std::string_view cursor) {
              std::string_view category = r.Query("category");
              std::optional<std::string_view> filter;
              if (!category.empty()) filter = category;
              return KnowledgeView(*api.store).ListDocuments(a.app_id, filter, limit, cursor);
            });
      });

  router.Add(
      "POST", "/api/knowledge/search", Access::kAgent,
      [&api](HttpRequest& request, Respond respond) {
        Result<simdjson::dom::object> body = ParseJsonBody(request.body);
        if (!body.ok()) return respond(ErrorResponse(body.status()));
        Result<AppContext> app = api.auth->ForBody(*body, request);
        if (!app.ok()) return respond(ErrorResponse(app.status()));
        Result<SearchInput> search = ReadSearchInput(*body);
        if (!search.ok()) return respond(ErrorResponse(search.status()));
        Result<KnowledgeSettings> settings = SettingsFor(api, app->app_id);
        if (!settings.ok()) return respond(ErrorResponse(settings.status()));
        if (settings->embedder->name() == "local") {
          return Search(api, std::move(*app), std::move(*search), *settings, std::move(respond));
        }
        bool queued = api.blocking->Post([&api, app = std::move(*app), search = std::move(*search),
                                          settings = *settings, respond]() mutable {
          Search(api, std::move(app), std::move(search), settings, std::move(respond));
        });
        if (!queued) {
          HttpResponse busy =
              ErrorResponse(503, "too many outbound calls in flight; retry shortly");
          busy.headers.emplace_back("Retry-After", "1");
          respond(std::move(busy));
        }
      });

  AddListRoute(
      router, api, "/api/knowledge/gaps", Access::kOperator, "gaps", PageSize{50, 200},
      [&api](const AppContext& app, const HttpRequest& request, size_t limit,
             std::string_view cursor) -> Result<Page> {
        std::string_view status = request.Query("status");
        if (!status.empty() && status != "open" && status != "all") {
          return InvalidArgument("status must be open or all");
        }
        return KnowledgeView(*api.store).ListGaps(app.app_id, status != "all", limit, cursor);
      });

  AddWriteRoute(router, api, "PATCH", "/api/knowledge/gaps", Access::kSecret,
                [&api](const WriteRequest& in) -> Result<PreparedWrite> {
                  Result<Event> event = BuildGapDismissed(in.command);
                  if (!event.ok()) return event.status();
                  std::string_view gap_id;
                  if (in.body["gapId"].get(gap_id)) return InvalidArgument("gapId is required");
                  if (!in.retry) {
                    Result<std::optional<std::string>> row =
                        KnowledgeView(*api.store).GetGap(in.app->app_id, gap_id);
                    if (!row.ok()) return row.status();
                    if (!row->has_value()) return NotFound("no gap with that gapId");
                    thread_local simdjson::dom::parser parser;
                    std::string_view status;
                    if (parser.parse(**row)["status"].get(status) || status != "open") {
                      return Status(StatusCode::kFailedPrecondition, "the gap is not open");
                    }
                  }
                  return WriteThen(std::move(*event), [app_id = in.app->app_id,
                                                       id = std::string(gap_id)](const Applied& a) {
                    Result<std::optional<std::string>> row =
                        KnowledgeView(*a.store).GetGap(app_id, id);
                    if (!row.ok()) return ErrorResponse(row.status());
                    if (!row->has_value()) return ErrorResponse(500, "the gap is missing");
                    JsonWriter w;
                    w.BeginObject().Field("ok", true).RawField("gap", **row).EndObject();
                    return JsonResponse(200, w.str());
                  });
                });
}

}  // namespace voxbase
