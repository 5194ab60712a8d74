// The route kit: the one shape every write takes and the one shape every list takes, so a table's
// routes file says only what is particular to it.
//
// A write: check the caller (admin token, app secret, or app secret or session token), parse the
// body, honour an Idempotency-Key, build the event (any outbound call happens in the build), append
// it, wait until the local processor applied it (DESIGN.md invariant 6), answer.
//
// Idempotency-Key (header, 1–128 printable ASCII bytes): the key rides in the event and its fold
// records it with the event id, time and offset (projections/idempotency.h). A request whose key
// is recorded for the same caller within 24 hours is a retry: with the same method, path and body
// it is answered by rebuilding the command with the recorded event id and time — every id a write
// creates derives from its event id, so the answer is the first one — and nothing is appended;
// with a different request it gets 422. Two requests racing with one key both append, the fold
// keeps the first, and the loser is answered as a retry of it.
//
// A list: authenticate, read ?limit= within bounds, pass ?cursor= to the read model, write
// {<field>: [rows], nextCursor}.
//
// Handlers run on the connection's thread; everything here is thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_context.h"
#include "api/router.h"
#include "projections/rows.h"

namespace voxbase {

enum class Caller {
  kApp,        // appSlug + appSecret, or a sessionToken
  kAppSecret,  // appSlug + appSecret only (server to server)
  kBrowser,    // a sessionToken only (body, query or Authorization: Bearer)
  kAdmin,      // Authorization: Bearer $VOXBASE_ADMIN_TOKEN; no app
};

// What a write's prepare function gets.
struct WriteRequest {
  const AppContext* app;  // null for kAdmin
  simdjson::dom::object body;
  CommandInput command;  // ready for a builder: app, body, limits, event id and time
  bool retry;            // rebuilding a recorded write's answer: skip checks against current state
};

// Where the applied event landed, and the store an answer reads: the live one, or for a retry
// the rows as the first request left them (AsRecordedStore, projections/idempotency.h), so a retry
// gets the first answer even after the rows changed. An answer that must report a later state (a
// tool execution, finished by a later event) reads ApiContext::store instead.
struct Applied {
  std::string_view event_id;
  LogPosition position;
  const ProjectionStore* store;
};

struct PreparedWrite {
  Event event;
  // Builds the answer after the event is applied, on the connection's thread.
  std::function<HttpResponse(const Applied& applied)> answer;
  // When set, the write is refused with this answer and nothing is appended (an upstream's
  // error that carries its own status and headers).
  std::optional<HttpResponse> refusal;
  // A second step: when set, it runs on the blocking pool once the event is applied, instead of
  // `answer`, and answers itself (a tool call: recorded as started, then called, then finished).
  std::function<void(const Applied& applied, Respond respond)> after;
};

// The write `event`, answered by `answer` once applied.
inline PreparedWrite WriteThen(Event event, std::function<HttpResponse(const Applied&)> answer) {
  return PreparedWrite{std::move(event), std::move(answer), std::nullopt, nullptr};
}
// The write `event`, then `after` on the blocking pool once it is applied.
inline PreparedWrite WriteThenContinue(
    Event event, std::function<void(const Applied& applied, Respond respond)> after) {
  return PreparedWrite{std::move(event), nullptr, std::nullopt, std::move(after)};
}
// No write: answer `response` and append nothing (a refusal, or a request with nothing to
// record, like a guardrail check that found no violation).
inline PreparedWrite Refuse(HttpResponse response) {
  return PreparedWrite{Event{}, nullptr, std::move(response), nullptr};
}
inline PreparedWrite AnswerWithoutWrite(HttpResponse response) {
  return Refuse(std::move(response));
}

using Prepare = std::function<Result<PreparedWrite>(const WriteRequest& request)>;

struct WriteOptions {
  // Run the build on the blocking pool: for builds that call out (tools, providers).
  bool offload = false;
};

// The error answer for `status` to the caller `app` (null: no app). To a browser (a session
// token) an upstream's failure is its status and a fixed message: the upstream's own text, masked
// as it is, goes to the server's log only.
HttpResponse CallerError(const AppContext* app, const Status& status);

// For handlers that build their event themselves (the LiveKit webhook): append `event`, wait
// until it is applied, answer.
void AppendAndAnswer(ApiContext& api, const Event& event, Respond respond,
                     std::function<HttpResponse(const Applied&)> answer);

// A GET "write" (GET /realtime/token) reads its input from the query, not a body.
Handler WriteHandler(ApiContext& api, Caller caller, Prepare prepare, WriteOptions options = {});
// A write route that `access` may call (api/access.h): the admin token for kAdmin, the app secret
// alone for kSecret, and otherwise whichever app credential the request carries, checked against
// `access` by the Authenticator.
void AddWriteRoute(Router& router, ApiContext& api, std::string_view method, std::string_view path,
                   Access access, Prepare prepare, WriteOptions options = {});

struct PageSize {
  size_t fallback;
  size_t max;
};
using ListQuery = std::function<Result<Page>(const AppContext& app, const HttpRequest& request,
                                             size_t limit, std::string_view cursor)>;

// Answers one list request: the page under `list_field`, and nextCursor.
void AnswerList(ApiContext& api, const AppContext& app, const HttpRequest& request,
                const Respond& respond, std::string_view list_field, PageSize size,
                const ListQuery& query);

void AddListRoute(Router& router, ApiContext& api, std::string_view path, Access access,
                  std::string_view list_field, PageSize size, ListQuery query);

}  // namespace voxbase
