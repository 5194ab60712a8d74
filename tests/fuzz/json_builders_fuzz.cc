// Every JSON request builder over one parsed body: what a client can send to any write endpoint,
// checked and turned into an event, must give a Status, never a crash. Tool endpoints are not
// resolved (no network in a fuzz run).
#include "ingest/apps.h"
#include "ingest/conversations.h"
#include "ingest/csat.h"
#include "ingest/experiments.h"
#include "ingest/guardrails.h"
#include "ingest/handoffs.h"
#include "ingest/knowledge.h"
#include "ingest/livekit.h"
#include "ingest/session_log.h"
#include "ingest/sessions.h"
#include "ingest/tools.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace voxbase;
  static SchemaCache schemas;
  static const IngestLimits limits;
  static const AppContext app{"app_0123456789abcdef", false};
  Result<simdjson::dom::object> body =
      ParseJsonBody(std::string(reinterpret_cast<const char*>(data), size));
  if (!body.ok()) return 0;
  const CommandInput in{&app,
                        *body,
                        1795300000000,
                        &limits,
                        "evt_0123456789abcdef",
                        "0123456789abcdef0123456789abcdef"};
  const CommandInput no_app{nullptr, *body, 1795300000000, &limits, "evt_0123456789abcdef", {}};
  ProviderConfig providers;
  providers.livekit_api_key = "key";
  providers.livekit_api_secret = "secret-secret-secret-secret-secret";
  (void)BuildAppCreated(no_app).ok();
  (void)BuildConversationSaved(in).ok();
  (void)BuildCsatRated(in).ok();
  (void)BuildExperimentCreated(in).ok();
  (void)BuildExperimentUpdated(in).ok();
  (void)ReadAssignRequest(in).ok();
  (void)BuildRuleCreated(in).ok();
  (void)BuildRuleUpdated(in).ok();
  (void)ReadCheckRequest(in).ok();
  (void)BuildPersonaUpdated(in).ok();
  (void)BuildHandoffCreated(in).ok();
  (void)BuildHandoffMoved(in).ok();
  (void)ReadDocumentInput(*body).ok();
  (void)ReadDocumentId(*body).ok();
  (void)ReadSearchInput(*body).ok();
  (void)BuildGapDismissed(in).ok();
  (void)BuildLivekitToken(in, providers, [](std::string_view) { return Status::Ok(); }).ok();
  (void)BuildRoomCreated(in, "slug").ok();
  (void)BuildRoomEnded(in).ok();
  (void)BuildWebhookReceived(in).ok();
  (void)BuildTelemetryRecorded(in).ok();
  (void)BuildMessagesAdded(in).ok();
  (void)BuildSessionCreated(in).ok();
  (void)BuildToolRegistered(in, schemas, /*guard_endpoints=*/false).ok();
  (void)BuildToolUpdated(in, schemas, /*guard_endpoints=*/false).ok();
  return 0;
}
