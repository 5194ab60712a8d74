// A digest of every projection, to show that a replay rebuilt exactly what the live processors
// built (DESIGN.md invariant 4). SHA-256 over each family's name and its keys and values in order,
// each length-prefixed. Reads a consistent store; run it on a store no one is writing.
#pragma once

#include <string>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct ProjectionDigest {
  std::string hex;
  uint64_t rows = 0;
};

Result<ProjectionDigest> ChecksumProjections(const ProjectionStore& store);

}  // namespace voxbase
