// How conversations and ratings reach the experiment results: the folds that change a
// conversation's status or a session's rating call these, and every experiment the session is
// exposed to moves its variant's counts — once per change, never by scanning exposures.
#pragma once

#include <string_view>

#include "processors/fold.h"

namespace voxbase {

Status CountConversationForExperiments(const FoldContext& c, std::string_view session_id,
                                       std::string_view status);
Status CountRatingForExperiments(const FoldContext& c, std::string_view session_id, int64_t rating);

}  // namespace voxbase
