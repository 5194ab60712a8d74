#include "api/api_context.h"

#include <charconv>

namespace voxbase {

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
