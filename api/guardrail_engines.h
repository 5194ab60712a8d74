// GuardrailEngines: the compiled GuardrailMatcher of every app and direction, rebuilt only when
// the app's rule-set version (bumped by the folds on every rule or persona change) moves — so a
// check compiles nothing, and a node that starts rebuilds each from the projection on its first
// check. Bounded; thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ingest/guardrail_matcher.h"
#include "storage/store.h"

namespace voxbase {

class GuardrailEngines {
 public:
  Result<std::shared_ptr<const GuardrailMatcher>> For(const ProjectionStore& store,
                                                      const std::string& app_id,
                                                      std::string_view direction);

 private:
  static constexpr size_t kMaxEntries = 10000;
  struct Entry {
    int64_t version;
    std::shared_ptr<const GuardrailMatcher> matcher;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // app id | direction; guarded by mu_
};

}  // namespace voxbase
