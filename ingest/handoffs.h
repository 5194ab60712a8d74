// Handoffs: POST /api/handoffs creates one (pending) and hands the session's conversation to a
// human; PATCH moves one — claim (pending → claimed) or resolve (claimed → resolved). Whether a
// move is allowed is decided by the fold, deterministically, so two agents racing to claim get
// one winner and a replay reproduces it. Thread-safe.
#pragma once

#include "ingest/command.h"

namespace voxbase {

struct HandoffCommand {
  Event event;
  std::string handoff_id;
};

Result<HandoffCommand> BuildHandoffCreated(const CommandInput& in);
Result<HandoffCommand> BuildHandoffMoved(const CommandInput& in);

// "ho_" + the event id's hex.
std::string HandoffIdForEvent(std::string_view event_id);

}  // namespace voxbase
