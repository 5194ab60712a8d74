// The route groups of the API, each in its own file. Each Add*Routes registers its paths on the
// router; handlers authenticate first, then read projections or build and append an event.
#pragma once

#include <functional>
#include <string>

#include "api/api_context.h"
#include "api/router.h"

namespace voxbase {

struct OpsHooks {
  std::function<Status()> ready;         // OK when the node can serve reads and writes
  std::function<std::string()> metrics;  // Prometheus text exposition
};

void AddOpsRoutes(Router& router, OpsHooks hooks);            // /healthz /readyz /metrics
void AddAdminRoutes(Router& router, ApiContext& api);         // /api/admin/apps
void AddSessionRoutes(Router& router, ApiContext& api);       // /api/auth/session
void AddTelemetryRoutes(Router& router, ApiContext& api);     // /api/events
void AddMessageRoutes(Router& router, ApiContext& api);       // /api/messages
void AddConversationRoutes(Router& router, ApiContext& api);  // /api/conversations
void AddDeadLetterRoutes(Router& router, ApiContext& api);    // /api/admin/dead-letters

}  // namespace voxbase
