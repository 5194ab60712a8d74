#include "api/api_context.h"

#include <charconv>
#include <memory>

namespace voxbase {
namespace {
constexpr size_t kMaxJsonDepth = 64;
}

Result<simdjson::dom::object> ParseJsonBody(const std::string& body) {
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    if (p.allocate(64 * 1024, kMaxJsonDepth) != simdjson::SUCCESS) throw std::bad_alloc();
    return p;
  }();
  simdjson::dom::element root;
  if (auto err = parser.parse(body).get(root)) {
    if (err == simdjson::DEPTH_ERROR) {
      return InvalidArgument("JSON body is nested more than 64 levels deep");
    }
    return InvalidArgument(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get(obj)) return InvalidArgument("body must be a JSON object");
  return obj;
}

void AnswerWhenApplied(ApiContext& api, const Event& event, Respond respond,
                       std::function<HttpResponse(const LogPosition&)> make_response) {
  AppliedWatermark* watermark = api.watermark;
  auto deadline = AppliedWatermark::Clock::now() + api.apply_timeout;
  api.submitter->Submit(
      event, [watermark, deadline, respond = std::move(respond),
              make_response = std::move(make_response)](Result<LogPosition> position) mutable {
        if (!position.ok()) return respond(ErrorResponse(position.status()));
        LogPosition at = *position;
        watermark->WhenApplied(
            at, deadline,
            [at, respond = std::move(respond),
             make_response = std::move(make_response)](bool applied) mutable {
              if (!applied) {
                HttpResponse r = ErrorResponse(
                    503, "the write is durable at offset " + std::to_string(at.offset) +
                             " but was not applied in time; read it again shortly");
                r.headers.emplace_back("Retry-After", "1");
                return respond(std::move(r));
              }
              respond.Later(
                  [at, make_response = std::move(make_response)] { return make_response(at); });
            });
      });
}

Result<size_t> PageLimit(const HttpRequest& request, size_t fallback, size_t max) {
  if (!request.HasQuery("limit")) return fallback;
  std::string_view raw = request.Query("limit");
  size_t limit = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), limit);
  if (ec != std::errc() || end != raw.data() + raw.size() || limit < 1 || limit > max) {
    return InvalidArgument("limit must be an integer from 1 to " + std::to_string(max));
  }
  return limit;
}

}  // namespace voxbase
