// Changes to a conversation made by other tables' folds (a room that finished resolves its
// conversation; a handoff hands it off). The conversation is created when it does not exist yet,
// with the event's time as its start, so the change is never lost.
#pragma once

#include <functional>
#include <string_view>

#include "processors/fold.h"
#include "projections/conversations.h"

namespace voxbase {

Status UpdateConversation(const FoldContext& c, std::string_view session_id,
                          const std::function<void(ConversationRow& row)>& change);

}  // namespace voxbase
