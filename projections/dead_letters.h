// Dead letters: records the processors set aside as never applicable (system-wide, not per app),
// keyed be32 partition | be64 offset. DeadLettersView is thread-safe; the store must outlive it.
#pragma once

#include <string>
#include <vector>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

class DeadLettersView {
 public:
  explicit DeadLettersView(const ProjectionStore& store) : store_(store) {}
  // Oldest first, at most `limit`.
  Result<std::vector<std::string>> List(size_t limit) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
