#include "api/api_context.h"

#include <charconv>

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
