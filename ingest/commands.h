// Commands: each write request, validated and turned into the one event that records it.
//
// A builder checks the request body completely before it returns an event, so a request that is
// refused appends nothing (DESIGN.md invariant 1). Everything that is not deterministic — ids,
// the ingest time, salts and token hashes — is decided here and written into the event, never
// left for a processor to decide (invariant 2). Builders are pure apart from the id and random
// generators; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "schemas/event.h"
#include "schemas/status.h"

namespace voxbase {

struct IngestLimits {
  size_t max_batch_items = 1000;         // telemetry events or messages per request
  size_t max_identifier_bytes = 128;     // session ids, event types
  size_t max_name_bytes = 256;           // names, room names, participant identities
  size_t max_content_bytes = 32 * 1024;  // a message's content
  size_t max_data_bytes = 64 * 1024;     // a telemetry event's data, as JSON
  size_t max_transcript_messages = 2000;
  size_t max_prompt_bytes = 32 * 1024;
  int64_t default_session_ttl_ms = 60 * 60 * 1000;
  int64_t max_session_ttl_ms = 24 * 60 * 60 * 1000;
};

// The app a request acts for, resolved from its credentials before anything is read or built.
struct AppContext {
  std::string app_id;
  bool via_session_token = false;
};

struct CommandInput {
  const AppContext* app = nullptr;  // null only for app creation
  simdjson::dom::object body;
  int64_t now_ms = 0;
  const IngestLimits* limits = nullptr;
};

// POST /api/admin/apps. The plain secret never reaches the event: only its salted hash does.
Result<Event> BuildAppCreated(const CommandInput& in);

struct SessionGrant {
  Event event;
  std::string token;  // returned to the caller once; only its hash is recorded
  int64_t expires_at = 0;
};
// POST /api/auth/session
Result<SessionGrant> BuildSessionCreated(const CommandInput& in);

struct BatchEvent {
  Event event;
  size_t items = 0;
};
// POST /api/events
Result<BatchEvent> BuildTelemetryRecorded(const CommandInput& in);
// POST /api/messages
Result<BatchEvent> BuildMessagesAdded(const CommandInput& in);

struct ConversationCommand {
  Event event;
  std::string session_id;
};
// POST /api/conversations
Result<ConversationCommand> BuildConversationSaved(const CommandInput& in);

}  // namespace voxbase
