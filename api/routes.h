// The route groups of the API, one file per table (apps_routes.cc, conversations_routes.cc, …),
// each built on the route kit (route_kit.h). AddApiRoutes is the route catalogue: it registers
// every group, one line each.
#pragma once

#include <functional>
#include <string>

#include "api/api_context.h"
#include "api/route_kit.h"
#include "api/router.h"
#include "processors/snapshots.h"

namespace voxbase {

struct OpsHooks {
  std::function<Status()> ready;         // OK when the node can serve reads and writes
  std::function<std::string()> metrics;  // Prometheus text exposition
};

void AddOpsRoutes(Router& router, OpsHooks hooks);  // /healthz /readyz /metrics

struct SnapshotHooks {
  std::function<Result<SnapshotRun>()> take;  // a snapshot now, with the retention that follows
  std::string data_dir;                       // where snapshots are listed from
  const EventLog* log = nullptr;              // its start offsets, for the listing
};
void AddSnapshotRoutes(Router& router, ApiContext& api,
                       SnapshotHooks hooks);  // /api/admin/snapshots

// Every table's routes.
void AddApiRoutes(Router& router, ApiContext& api);

void AddAppRoutes(Router& router, ApiContext& api);           // /api/admin/apps, dead letters
void AddSessionRoutes(Router& router, ApiContext& api);       // /api/auth/session
void AddSessionLogRoutes(Router& router, ApiContext& api);    // /api/events, /api/messages
void AddConversationRoutes(Router& router, ApiContext& api);  // /api/conversations
void AddProviderRoutes(Router& router,
                       ApiContext& api);  // /api/token, /api/realtime/*, /realtime/token
void AddLivekitRoutes(Router& router, ApiContext& api);
void AddToolRoutes(Router& router, ApiContext& api);        // /api/tools*, /api/realtime/*tool*
void AddHandoffRoutes(Router& router, ApiContext& api);     // /api/handoffs
void AddCsatRoutes(Router& router, ApiContext& api);        // /api/csat
void AddGuardrailRoutes(Router& router, ApiContext& api);   // /api/guardrails/*, /api/persona
void AddExperimentRoutes(Router& router, ApiContext& api);  // /api/experiments*
void AddKnowledgeRoutes(Router& router, ApiContext& api);   // /api/knowledge*

// Every token mint (OpenAI, Gemini, LiveKit): an Idempotency-Key retry gets 409 (tokens are not
// stored), then the app's rate limit, then `mint`, answered with Cache-Control: no-store.
using Mint = std::function<Result<Minted>(const WriteRequest& in, const AppSettings& app)>;
Prepare MintRoute(ApiContext& api, Mint mint);

// At start, once caught up: every execution this node started and never finished (it died
// mid-call) is recorded as interrupted. Returns how many.
size_t RecordInterruptedExecutions(ApiContext& api);  // /api/livekit/*

}  // namespace voxbase
