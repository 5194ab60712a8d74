// Conversations: POST /api/conversations saves or updates one by sessionId; the event carries only
// the fields the request named, and the fold merges them into the stored row.
#pragma once

#include "ingest/command.h"

namespace voxbase {

struct ConversationCommand {
  Event event;
  std::string session_id;
};

Result<ConversationCommand> BuildConversationSaved(const CommandInput& in);

}  // namespace voxbase
