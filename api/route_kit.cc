#include "api/route_kit.h"

#include <cstdio>
#include <memory>

#include "ingest/secrets.h"
#include "projections/idempotency.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

Result<std::string_view> IdempotencyKeyHeader(const HttpRequest& request) {
  std::string_view key = request.Header("idempotency-key");
  if (key.size() > kMaxIdempotencyKeyBytes) {
    return InvalidArgument("Idempotency-Key must be at most 128 bytes");
  }
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidArgument("Idempotency-Key must be printable ASCII without spaces");
    }
  }
  return key;
}

std::string RequestHash(const HttpRequest& request) {
  std::string input = request.method;
  input.append("\n").append(request.path).append("\n").append(request.body);
  return HexEncode(Sha256(input));
}

HttpResponse KeyReused() {
  return ErrorResponse(422,
                       "Idempotency-Key was already used for a different request; use a new key");
}

// One write in flight: what its stages share. Kept alive by the callbacks that need it.
struct WriteCall {
  ApiContext& api;
  Caller caller;
  const Prepare& prepare;
  std::string body;  // a copy, for work done later or on another thread
  std::optional<AppContext> app;
  std::string scope;  // idempotency scope
  std::string key;    // empty: none
  std::string request_hash;

  Result<PreparedWrite> Build(simdjson::dom::object parsed, std::string event_id, int64_t now,
                              bool retry, std::string* event_id_storage) const {
    *event_id_storage = std::move(event_id);
    const AppContext* app_ptr = app ? &*app : nullptr;
    CommandInput command{app_ptr, parsed, now, &api.limits, *event_id_storage, api.token_key};
    return prepare(WriteRequest{app_ptr, parsed, command, retry});
  }

  // Answers as the write recorded under the key, whose event is applied.
  HttpResponse AnswerRecorded(const IdempotencyRecord& record) const {
    if (record.request_hash != request_hash) return KeyReused();
    Result<simdjson::dom::object> parsed = ParseJsonBody(body);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    std::string event_id;
    Result<PreparedWrite> rebuilt =
        Build(*parsed, record.event_id, record.event_ts, true, &event_id);
    if (!rebuilt.ok()) return ErrorResponse(rebuilt.status());
    const AsRecordedStore as_recorded(*api.store, record);
    HttpResponse answer =
        rebuilt->refusal ? std::move(*rebuilt->refusal)
        : rebuilt->answer
            ? rebuilt->answer(Applied{event_id, {record.partition, record.offset}, &as_recorded})
            : ErrorResponse(409, "the first request with this Idempotency-Key is still running");
    answer.headers.emplace_back("Idempotent-Replayed", "true");
    return answer;
  }

  // The live record for the key, if any (older than 24 hours counts as none).
  Result<std::optional<IdempotencyRecord>> FindRecord() const {
    Result<std::optional<IdempotencyRecord>> found = IdempotencyView(*api.store).Find(scope, key);
    if (!found.ok() || !found->has_value()) return found;
    if (api.clock->NowMillis() - (*found)->event_ts >= kIdempotencyTtlMs) {
      return std::optional<IdempotencyRecord>();
    }
    return found;
  }
};

Result<AppContext> Authenticate(const ApiContext& api, Caller caller, simdjson::dom::object body,
                                const HttpRequest& request) {
  switch (caller) {
    case Caller::kAppSecret:
      return api.auth->SecretOnly(body, request);
    case Caller::kBrowser: {
      VOX_RETURN_IF_ERROR(CheckCredentialKeys(body));
      std::string_view token;
      if (body["sessionToken"].get(token)) token = {};
      return api.auth->TokenOnly(token, request);
    }
    case Caller::kApp:
      return request.method == "GET" ? api.auth->ForQuery(request)
                                     : api.auth->ForBody(body, request);
    case Caller::kAdmin:
      break;
  }
  return Internal("no app for an admin call");
}

// Appends `event`, waits until the local processor applied it (503 past the deadline), then
// hands `on_applied` where it landed. `on_applied` runs on the runner's thread: it must not block.
//
// While the processor is more than half the apply timeout behind the writes waiting on it, a new
// write is refused before it is appended: under overload a client gets a clean 503 it can retry,
// not an ack that times out with its write in the log.
void AppendThen(ApiContext& api, const Event& event, Respond respond,
                std::function<void(const Applied& applied, Respond respond)> on_applied) {
  AppliedWatermark* watermark = api.watermark;
  const int64_t deadline = watermark->clock().MonotonicMillis() + api.apply_timeout.count();
  if (const int64_t behind = watermark->BehindMs(); 2 * behind > api.apply_timeout.count()) {
    HttpResponse r = ErrorResponse(503, "the projections are " + std::to_string(behind) +
                                            " ms behind the log; nothing was appended; retry "
                                            "shortly");
    r.headers.emplace_back("Retry-After", "1");
    return respond(std::move(r));
  }
  api.submitter->Submit(event, [watermark, deadline, store = api.store, event_id = event.id,
                                respond = std::move(respond), on_applied = std::move(on_applied)](
                                   Result<LogPosition> position) mutable {
    if (!position.ok()) {
      // The log refused (full queue, full disk, closing): nothing was appended; a retry may
      // succeed.
      HttpResponse r = ErrorResponse(position.status());
      if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
      return respond(std::move(r));
    }
    LogPosition at = *position;
    watermark->WhenApplied(
        at, deadline,
        [at, store, event_id = std::move(event_id), respond = std::move(respond),
         on_applied = std::move(on_applied)](bool applied) mutable {
          if (!applied) {
            HttpResponse r =
                ErrorResponse(503, "the write is durable at offset " + std::to_string(at.offset) +
                                       " but was not applied in time; read it again shortly");
            r.headers.emplace_back("Retry-After", "1");
            return respond(std::move(r));
          }
          on_applied(Applied{event_id, at, store}, std::move(respond));
        });
  });
}

// When another request with this call's key was applied first (this one changed nothing), the
// answer to give instead: the first request's.
std::optional<HttpResponse> AnswerIfAnotherWon(const WriteCall& call, std::string_view event_id) {
  if (call.key.empty()) return std::nullopt;
  Result<std::optional<IdempotencyRecord>> record = call.FindRecord();
  if (!record.ok()) return ErrorResponse(record.status());
  if (record->has_value() && (*record)->event_id != event_id) {
    return call.AnswerRecorded(**record);
  }
  return std::nullopt;
}

// Builds, appends, waits until applied and answers: the second half of every write.
void BuildAndSubmit(const std::shared_ptr<WriteCall>& call, simdjson::dom::object body,
                    Respond respond) {
  ApiContext& api = call->api;
  auto event_id = std::make_shared<std::string>();
  Result<PreparedWrite> write =
      call->Build(body, api.ids->NewEventId(), api.clock->NowMillis(), false, event_id.get());
  if (!write.ok()) return respond(CallerError(call->app ? &*call->app : nullptr, write.status()));
  if (write->refusal) return respond(std::move(*write->refusal));
  if (!call->key.empty()) {
    write->event.idempotency = IdempotencyTag{call->scope, call->key, call->request_hash};
  }
  if (!write->after) {
    return AppendAndAnswer(api, write->event, std::move(respond),
                           [call, answer = std::move(write->answer)](const Applied& applied) {
                             std::optional<HttpResponse> first =
                                 AnswerIfAnotherWon(*call, applied.event_id);
                             return first ? std::move(*first) : answer(applied);
                           });
  }
  // The second step answers for itself, on the blocking pool, once the event is applied.
  AppendThen(api, write->event, std::move(respond),
             [call, pool = api.blocking, after = std::move(write->after)](const Applied& applied,
                                                                          Respond reply) {
               bool queued = pool->Post([call, event_id = std::string(applied.event_id),
                                         at = applied.position, store = applied.store, reply,
                                         after]() mutable {
                 std::optional<HttpResponse> first = AnswerIfAnotherWon(*call, event_id);
                 if (first) return reply(std::move(*first));
                 after(Applied{event_id, at, store}, reply);
               });
               if (!queued) reply(ErrorResponse(503, "too many outbound calls in flight"));
             });
}

void HandleWrite(ApiContext& api, Caller caller, const Prepare& prepare,
                 const WriteOptions& options, HttpRequest& request, Respond respond) {
  if (caller == Caller::kAdmin) {
    Status admin = api.auth->CheckAdmin(request);
    if (!admin.ok()) return respond(ErrorResponse(admin));
  }
  const bool from_query = request.method == "GET";
  if (from_query && !request.body.empty()) {
    return respond(ErrorResponse(400, "a GET takes no body"));
  }
  Result<simdjson::dom::object> body = ParseJsonBody(from_query ? "{}" : request.body);
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  auto call = std::make_shared<WriteCall>(WriteCall{api, caller, prepare, {}, {}, {}, {}, {}});
  if (caller != Caller::kAdmin) {
    Result<AppContext> app = Authenticate(api, caller, *body, request);
    if (!app.ok()) return respond(ErrorResponse(app.status()));
    call->app = std::move(*app);
  }
  Result<std::string_view> key = IdempotencyKeyHeader(request);
  if (!key.ok()) return respond(ErrorResponse(key.status()));
  if (!key->empty()) {
    call->scope = call->app ? call->app->app_id : std::string(kAdminIdempotencyScope);
    call->key = std::string(*key);
    call->request_hash = RequestHash(request);
    call->body = from_query ? "{}" : request.body;
    Result<std::optional<IdempotencyRecord>> record = call->FindRecord();
    if (!record.ok()) return respond(ErrorResponse(record.status()));
    if (record->has_value()) return respond(call->AnswerRecorded(**record));
  }
  // The quota is taken before the build, so a flood's refusals cost no payload building and no
  // outbound call; a retry answered from its record above was not counted.
  if (call->app && api.write_quota != nullptr) {
    if (const int64_t wait_s = api.write_quota->Take(call->app->app_id); wait_s > 0) {
      HttpResponse r = ErrorResponse(429,
                                     "this app is over its write quota; nothing was "
                                     "appended; retry after the Retry-After seconds");
      r.headers.emplace_back("Retry-After", std::to_string(wait_s));
      return respond(std::move(r));
    }
  }
  if (!options.offload) return BuildAndSubmit(call, *body, std::move(respond));

  // The body's parse lives in this thread's parser: the pool thread parses its own copy.
  if (call->body.empty()) call->body = from_query ? "{}" : request.body;
  bool queued = api.blocking->Post([call, respond]() mutable {
    Result<simdjson::dom::object> parsed = ParseJsonBody(call->body);
    if (!parsed.ok()) return respond(ErrorResponse(parsed.status()));
    BuildAndSubmit(call, *parsed, std::move(respond));
  });
  if (!queued) {
    HttpResponse busy = ErrorResponse(503, "too many outbound calls in flight; retry shortly");
    busy.headers.emplace_back("Retry-After", "1");
    respond(std::move(busy));
  }
}

}  // namespace

HttpResponse CallerError(const AppContext* app, const Status& status) {
  if (app == nullptr || !app->via_session_token || status.code() != StatusCode::kUpstreamError) {
    return ErrorResponse(status);
  }
  std::fprintf(stderr, "voxbase: upstream failure answered to a browser as 502: %s\n",
               status.message().c_str());
  return ErrorResponse(502, "an upstream call failed; the details are in the server's log");
}

void AppendAndAnswer(ApiContext& api, const Event& event, Respond respond,
                     std::function<HttpResponse(const Applied&)> answer) {
  AppendThen(api, event, std::move(respond),
             [answer = std::move(answer)](const Applied& applied, Respond reply) {
               reply.Later([answer, event_id = std::string(applied.event_id), at = applied.position,
                            store = applied.store] {
                 return answer(Applied{event_id, at, store});
               });
             });
}

Handler WriteHandler(ApiContext& api, Caller caller, Prepare prepare, WriteOptions options) {
  return
      [&api, caller, prepare = std::move(prepare), options](HttpRequest& request, Respond respond) {
        HandleWrite(api, caller, prepare, options, request, std::move(respond));
      };
}

void AddWriteRoute(Router& router, ApiContext& api, std::string_view method, std::string_view path,
                   Access access, Prepare prepare, WriteOptions options) {
  const Caller caller = access == Access::kAdmin    ? Caller::kAdmin
                        : access == Access::kSecret ? Caller::kAppSecret
                                                    : Caller::kApp;
  router.Add(method, path, access, WriteHandler(api, caller, std::move(prepare), options));
}

void AnswerList(ApiContext&, const AppContext& app, const HttpRequest& request,
                const Respond& respond, std::string_view list_field, PageSize size,
                const ListQuery& query) {
  Result<size_t> limit = PageLimit(request, size.fallback, size.max);
  if (!limit.ok()) return respond(ErrorResponse(limit.status()));
  Result<Page> page = query(app, request, *limit, request.Query("cursor"));
  if (!page.ok()) return respond(ErrorResponse(page.status()));
  JsonWriter w;
  w.BeginObject().Key(list_field).BeginArray();
  for (const std::string& row : page->rows) w.Raw(row);
  w.EndArray().Key("nextCursor");
  page->next_cursor.empty() ? w.Null() : w.String(page->next_cursor);
  w.EndObject();
  respond(JsonResponse(200, w.str()));
}

void AddListRoute(Router& router, ApiContext& api, std::string_view path, Access access,
                  std::string_view list_field, PageSize size, ListQuery query) {
  router.Add("GET", path, access,
             [&api, field = std::string(list_field), size, query = std::move(query)](
                 HttpRequest& request, Respond respond) {
               Result<AppContext> app = api.auth->ForQuery(request);
               if (!app.ok()) return respond(ErrorResponse(app.status()));
               AnswerList(api, *app, request, respond, field, size, query);
             });
}

}  // namespace voxbase
