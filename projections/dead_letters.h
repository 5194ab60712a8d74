// Dead letters: records the processors set aside as never applicable (system-wide, not per app),
// keyed be32 partition | be64 offset. DeadLettersView is thread-safe; the store must outlive it.
#pragma once

#include <string>
#include <vector>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

class DeadLettersView {
 public:
  explicit DeadLettersView(const ProjectionStore& store) : store_(store) {}
  // Oldest first: a page of at most `limit`, after `cursor` (from the previous page).
  Result<Page> List(size_t limit, std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
