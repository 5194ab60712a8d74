// Snapshots (admin API): POST /api/admin/snapshots takes one now and applies the retention that
// follows (pruning old snapshots, trimming the embedded log); GET lists the kept ones with the
// log's start. A snapshot flushes and checkpoints the store, so it runs on the blocking pool, not
// on an I/O thread. Neither writes an event: snapshots are of the projections, not in the log.
#include "api/routes.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

void WriteSnapshot(JsonWriter& w, const SnapshotInfo& s) {
  w.BeginObject().Field("name", s.name).Key("positions").BeginArray();
  for (int64_t p : s.positions) w.Int(p);
  w.EndArray().Field("createdAt", FormatIso8601(s.created_at_ms)).EndObject();
}

void WriteOffsets(JsonWriter& w, std::string_view key, const std::vector<int64_t>& offsets) {
  w.Key(key).BeginArray();
  for (int64_t o : offsets) w.Int(o);
  w.EndArray();
}

}  // namespace

void AddSnapshotRoutes(Router& router, ApiContext& api, SnapshotHooks hooks) {
  router.Add("POST", "/api/admin/snapshots", Access::kAdmin,
             [&api, take = hooks.take](HttpRequest& request, Respond respond) {
               Status admin = api.auth->CheckAdmin(request);
               if (!admin.ok()) return respond(ErrorResponse(admin));
               if (!request.body.empty()) {
                 return respond(ErrorResponse(400, "this endpoint takes no body"));
               }
               bool queued = api.blocking->Post([take, respond] {
                 Result<SnapshotRun> run = take();
                 if (!run.ok()) return respond(ErrorResponse(run.status()));
                 JsonWriter w;
                 w.BeginObject().Key("snapshot");
                 WriteSnapshot(w, run->snapshot);
                 w.Field("keptSnapshots", static_cast<int64_t>(run->kept.size()))
                     .Key("logRetention")
                     .BeginObject()
                     .Field("removedSegments", run->trimmed.segments)
                     .Field("removedRecords", run->trimmed.records)
                     .EndObject()
                     .EndObject();
                 respond(JsonResponse(201, w.str()));
               });
               if (!queued) {
                 HttpResponse busy = ErrorResponse(503, "the blocking pool is full; retry shortly");
                 busy.headers.emplace_back("Retry-After", "1");
                 respond(std::move(busy));
               }
             });

  router.Add("GET", "/api/admin/snapshots", Access::kAdmin,
             [&api, hooks](HttpRequest& request, Respond respond) {
               Status admin = api.auth->CheckAdmin(request);
               if (!admin.ok()) return respond(ErrorResponse(admin));
               Result<std::vector<SnapshotInfo>> kept =
                   ListSnapshots(SnapshotsDirectory(hooks.data_dir));
               if (!kept.ok()) return respond(ErrorResponse(kept.status()));
               Result<std::vector<int64_t>> starts = hooks.log->StartOffsets();
               if (!starts.ok()) return respond(ErrorResponse(starts.status()));
               JsonWriter w;
               w.BeginObject().Key("snapshots").BeginArray();
               for (const SnapshotInfo& s : *kept) WriteSnapshot(w, s);
               w.EndArray();
               WriteOffsets(w, "logStartOffsets", *starts);
               w.EndObject();
               respond(JsonResponse(200, w.str()));
             });
}

}  // namespace voxbase
