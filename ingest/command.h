// Commands: what every write builder shares — the limits, the app a request acts for, the input a
// builder gets, and the helpers that turn checked fields into an event.
//
// A builder checks the request body completely before it returns an event, so a request that is
// refused appends nothing (DESIGN.md invariant 1). Everything that is not deterministic is decided
// by the caller and passed in: the event id and the ingest time. Every id a write creates is
// derived from its event id (an app "app_<hex>", a conversation "conv_<hex>", a message
// "msg_<hex>.<i>"), so rebuilding a command with the recorded event id — an idempotent retry —
// yields the same ids (invariant 2). Builders are pure apart from salts; thread-safe.
//
// Each table's builders live in a file of its own: apps.h, sessions.h, session_log.h,
// conversations.h.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/fields.h"
#include "schemas/event.h"
#include "schemas/ids.h"
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

// How a request proved it acts for its app (api/access.h says what each may do).
enum class CallerRole {
  kSecret,    // appSlug + appSecret
  kOperator,  // a session token with role "operator"
  kUser,      // a session token with role "user", bound to `session_id`
  kLegacy,    // a session token minted before roles
};

// The app a request acts for, resolved from its credentials before anything is read or built.
struct AppContext {
  AppContext() = default;
  explicit AppContext(std::string app, bool via_token = false)
      : app_id(std::move(app)), via_session_token(via_token) {}

  std::string app_id;
  bool via_session_token = false;
  CallerRole role = CallerRole::kSecret;
  std::string session_id;  // a user token's session
  std::string token_hash;  // a session token's SHA-256 (raw), to revoke it
};

struct CommandInput {
  const AppContext* app = nullptr;  // null only for app creation
  simdjson::dom::object body;
  int64_t now_ms = 0;
  const IngestLimits* limits = nullptr;
  std::string_view event_id;   // "evt_" + 16 hex digits, decided by the caller
  std::string_view token_key;  // the server's key for deriving session tokens
};

// Latest accepted client timestamp: year 3000, so times stay far from overflow in keys.
inline constexpr int64_t kMaxTimeMs = 32503680000000;

Event NewEvent(const CommandInput& in, EventType type, std::string app_id, std::string payload);
inline Event NewEvent(const CommandInput& in, EventType type, std::string payload) {
  return NewEvent(in, type, in.app->app_id, std::move(payload));
}

// Parses a request body that must be one JSON object, nested at most 64 deep. The object is valid
// until the next call on the same thread.
Result<simdjson::dom::object> ParseJsonBody(const std::string& body);

// A required session id: bounded, usable inside storage keys.
Status ReadSessionId(simdjson::dom::object obj, const IngestLimits& limits, std::string_view where,
                     std::optional<std::string_view>* out);

// A field that must be one word of `vocabulary` (schemas/vocabulary.h).
template <typename Vocab>
Status ReadWord(simdjson::dom::object obj, std::string_view name, Presence presence,
                const Vocab& vocabulary, std::optional<std::string_view>* out,
                std::string_view where = {}) {
  VOX_RETURN_IF_ERROR(ReadString(obj, name, presence, 64, out, where));
  if (*out && !vocabulary.Contains(**out)) {
    return InvalidArgument(FieldName(where, name) + " must be one of " + vocabulary.List());
  }
  return Status::Ok();
}

class JsonWriter;

// A batch request (`field` holds the items): each item is checked and written by `write_item`,
// which gets the item, its field path ("events[3]") and its id suffix ("<event hex>.<index>").
// Any bad item refuses the whole batch.
using WriteItem = std::function<Status(simdjson::dom::object item, const std::string& where,
                                       const std::string& item_id, JsonWriter& w)>;
struct BatchEvent {
  Event event;
  size_t items = 0;
};
Result<BatchEvent> BuildBatch(const CommandInput& in, std::string_view field, EventType type,
                              const WriteItem& write_item);

}  // namespace voxbase
