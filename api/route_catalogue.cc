#include "api/routes.h"

namespace voxbase {

// One line per table module: Add<Name>Routes, defined in api/<table>_routes.cc.
#define VOXBASE_ROUTE_MODULES(X)                                       \
  X(App)          /* /api/admin/apps, dead letters */                  \
  X(Session)      /* /api/auth/session */                              \
  X(SessionLog)   /* /api/events, /api/messages */                     \
  X(Conversation) /* /api/conversations */                             \
  X(Provider)     /* /api/token, /api/realtime/..., /realtime/token */ \
  X(Livekit)      /* /api/livekit/... */                               \
  X(Tool)         /* /api/tools..., the realtime tool endpoints */     \
  X(Handoff)      /* /api/handoffs */                                  \
  X(Csat)         /* /api/csat */                                      \
  X(Guardrail)    /* /api/guardrails/..., /api/persona */              \
  X(Experiment)   /* /api/experiments... */                            \
  X(Knowledge)    /* /api/knowledge... */                              \
  X(Insight)      /* /api/analytics/... */

#define VOXBASE_DECLARE_ROUTES(name) void Add##name##Routes(Router& router, ApiContext& api);
VOXBASE_ROUTE_MODULES(VOXBASE_DECLARE_ROUTES)
#undef VOXBASE_DECLARE_ROUTES

void AddApiRoutes(Router& router, ApiContext& api) {
#define VOXBASE_ADD_ROUTES(name) Add##name##Routes(router, api);
  VOXBASE_ROUTE_MODULES(VOXBASE_ADD_ROUTES)
#undef VOXBASE_ADD_ROUTES
}

}  // namespace voxbase
