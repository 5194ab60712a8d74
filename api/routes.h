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

// Every table's routes: the route catalogue (route_catalogue.cc), one line per table module,
// whose Add<Name>Routes is in api/<table>_routes.cc.
void AddApiRoutes(Router& router, ApiContext& api);

// Every token mint (OpenAI, Gemini, LiveKit): an Idempotency-Key retry gets 409 (tokens are not
// stored), then the app's rate limit, then `mint`, answered with Cache-Control: no-store.
using Mint = std::function<Result<Minted>(const WriteRequest& in, const AppSettings& app)>;
Prepare MintRoute(ApiContext& api, Mint mint);

// At start, once caught up: every execution this node started and never finished (it died
// mid-call) is recorded as interrupted. Returns how many.
size_t RecordInterruptedExecutions(ApiContext& api);  // /api/livekit/*

}  // namespace voxbase
