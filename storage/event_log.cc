#include "storage/event_log.h"

#include <future>

namespace voxbase {

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kInterval:
      return "interval";
    case FsyncPolicy::kNone:
      return "none";
  }
  return "always";
}

Result<FsyncPolicy> ParseFsyncPolicy(std::string_view name) {
  if (name == "always") return FsyncPolicy::kAlways;
  if (name == "interval") return FsyncPolicy::kInterval;
  if (name == "none") return FsyncPolicy::kNone;
  return InvalidArgument("fsync policy must be always, interval or none, not '" +
                         std::string(name) + "'");
}

Result<LogPosition> EventLog::AppendAndWait(std::string_view key, std::string record) {
  std::promise<Result<LogPosition>> promise;
  auto future = promise.get_future();
  Append(key, std::move(record),
         [&promise](Result<LogPosition> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace voxbase
