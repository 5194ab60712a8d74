// Apps: POST /api/admin/apps (seed 001's seedApp). The plain secret never reaches the event: only
// a salted hash does.
#pragma once

#include "ingest/command.h"

namespace voxbase {

// The app id an app.created event introduces: "app_" + the event id's hex.
std::string AppIdForEvent(std::string_view event_id);

Result<Event> BuildAppCreated(const CommandInput& in);

// PATCH /api/analytics/settings: {timezone}, an IANA zone (InvalidArgument otherwise).
Result<Event> BuildAnalyticsSettingsUpdated(const CommandInput& in);

}  // namespace voxbase
