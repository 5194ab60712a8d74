// Session logs: POST /api/events (telemetry) and POST /api/messages (transcripts). Each request is
// one batch event; one bad item refuses the whole batch with the item's path in the error.
#pragma once

#include "ingest/command.h"

namespace voxbase {

Result<BatchEvent> BuildTelemetryRecorded(const CommandInput& in);
Result<BatchEvent> BuildMessagesAdded(const CommandInput& in);

}  // namespace voxbase
