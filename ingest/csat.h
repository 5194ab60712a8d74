// CSAT: POST /api/csat {sessionId, rating 1–5, comment ≤ 2000 characters}. A second rating for a
// session replaces the first. Thread-safe.
#pragma once

#include "ingest/command.h"

namespace voxbase {

struct CsatCommand {
  Event event;
  std::string session_id;
};

Result<CsatCommand> BuildCsatRated(const CommandInput& in);

}  // namespace voxbase
