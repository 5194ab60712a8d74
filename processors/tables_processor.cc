#include "processors/tables_processor.h"

#include <optional>

#include "projections/keys.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

Status BadPayload(const DecodedEvent& event, std::string_view what) {
  return Corruption(std::string(EventTypeName(event.type)) + " event " + std::string(event.id) +
                    ": " + std::string(what));
}

// A conversation row, as stored in the conversations table.
struct Conversation {
  std::string conversation_id;
  std::string session_id;
  std::string status = "active";
  std::optional<std::string> channel;
  std::optional<std::string> resolution;
  int64_t started_at = 0;
  std::optional<int64_t> ended_at;
  std::string messages_json = "[]";
  std::string metadata_json = "null";
  int64_t created_at = 0;
  int64_t updated_at = 0;

  std::string ToJson() const {
    JsonWriter w;
    w.BeginObject()
        .Field("conversationId", conversation_id)
        .Field("sessionId", session_id)
        .Field("status", status);
    w.Key("channel");
    channel ? w.String(*channel) : w.Null();
    w.Key("resolution");
    resolution ? w.String(*resolution) : w.Null();
    w.Field("startedAt", started_at);
    w.Key("endedAt");
    ended_at ? w.Int(*ended_at) : w.Null();
    w.Key("durationMs");
    ended_at ? w.Int(*ended_at - started_at) : w.Null();
    w.RawField("messages", messages_json)
        .RawField("metadata", metadata_json)
        .Field("createdAt", created_at)
        .Field("updatedAt", updated_at)
        .EndObject();
    return w.str();
  }
};

std::optional<std::string> OptionalString(simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s)) return std::nullopt;
  return std::string(s);
}

bool ParseConversation(simdjson::dom::object row, Conversation* c) {
  std::string_view s;
  if (row["conversationId"].get(s)) return false;
  c->conversation_id = std::string(s);
  if (row["sessionId"].get(s)) return false;
  c->session_id = std::string(s);
  if (row["status"].get(s)) return false;
  c->status = std::string(s);
  simdjson::dom::element field;
  if (!row["channel"].get(field)) c->channel = OptionalString(field);
  if (!row["resolution"].get(field)) c->resolution = OptionalString(field);
  if (row["startedAt"].get(c->started_at)) return false;
  int64_t ended = 0;
  if (!row["endedAt"].get(ended)) c->ended_at = ended;
  simdjson::dom::element messages, metadata;
  if (row["messages"].get(messages) || row["metadata"].get(metadata)) return false;
  c->messages_json = simdjson::minify(messages);
  c->metadata_json = simdjson::minify(metadata);
  if (row["createdAt"].get(c->created_at) || row["updatedAt"].get(c->updated_at)) return false;
  return true;
}

}  // namespace

Status TablesProcessor::Apply(const DecodedEvent& event, const LogPosition& position,
                              StoreBatch& batch) {
  if (!IsAppId(event.app_id)) return BadPayload(event, "app id is malformed");
  switch (event.type) {
    case EventType::kAppCreated:
      return ApplyAppCreated(event, batch);
    case EventType::kSessionCreated:
      return ApplySessionCreated(event, batch);
    case EventType::kTelemetryRecorded:
      return ApplySessionLog(event, position, batch, "events", Family(Table::kEvents), "ts");
    case EventType::kMessagesAdded:
      return ApplySessionLog(event, position, batch, "messages", Family(Table::kMessages),
                             "createdAt");
    case EventType::kConversationSaved:
      return ApplyConversationSaved(event, batch);
  }
  return BadPayload(event, "no fold for this type");
}

// The first app to claim a slug keeps it; a later app.created for the same slug changes nothing
// (ingest answers 409 when it sees its app did not land).
Status TablesProcessor::ApplyAppCreated(const DecodedEvent& event, StoreBatch& batch) {
  std::string_view slug;
  if (event.payload["slug"].get(slug) || slug.empty()) return BadPayload(event, "no slug");
  std::string owner;
  Result<bool> taken = batch.Get(Family(Table::kAppSlugs), slug, &owner);
  if (!taken.ok()) return taken.status();
  if (*taken) return Status::Ok();
  batch.Put(Family(Table::kAppSlugs), slug, event.app_id);
  batch.Put(Family(Table::kApps), event.app_id, EncodeValue(simdjson::minify(event.payload)));
  return Status::Ok();
}

Status TablesProcessor::ApplySessionCreated(const DecodedEvent& event, StoreBatch& batch) {
  std::string_view hash_hex;
  int64_t expires_at = 0;
  if (event.payload["tokenHash"].get(hash_hex) || event.payload["expiresAt"].get(expires_at)) {
    return BadPayload(event, "no tokenHash or expiresAt");
  }
  std::string hash;
  if (!HexDecode(hash_hex, &hash)) return BadPayload(event, "tokenHash is not hex");
  JsonWriter row;
  row.BeginObject().Field("createdAt", event.ts_ms).Field("expiresAt", expires_at).EndObject();
  batch.Put(Family(Table::kSessions), SessionTokenKey(event.app_id, hash), EncodeValue(row.view()));
  return Status::Ok();
}

// Telemetry events and messages: each array element becomes one row, stored as written at ingest,
// under the session's time-ordered key.
Status TablesProcessor::ApplySessionLog(const DecodedEvent& event, const LogPosition& position,
                                        StoreBatch& batch, std::string_view array_field, int family,
                                        std::string_view time_field) {
  simdjson::dom::array items;
  if (event.payload[array_field].get(items)) return BadPayload(event, "no item array");
  uint32_t index = 0;
  std::string value;
  for (simdjson::dom::element item : items) {
    std::string_view session_id;
    int64_t time = 0;
    if (item["sessionId"].get(session_id) || item[time_field].get(time)) {
      return BadPayload(event, "item lacks sessionId or time");
    }
    value.assign(1, kValueVersion);
    value += simdjson::minify(item);
    batch.Put(family, SessionLogKey(event.app_id, session_id, time, position.offset, index), value);
    ++index;
  }
  return Status::Ok();
}

// Creates the conversation on first save; later saves overwrite only the fields they carry.
Status TablesProcessor::ApplyConversationSaved(const DecodedEvent& event, StoreBatch& batch) {
  const simdjson::dom::object& p = event.payload;
  std::string_view session_id;
  if (p["sessionId"].get(session_id)) return BadPayload(event, "no sessionId");
  const std::string key = ConversationKey(event.app_id, session_id);

  std::string stored;
  Result<bool> found = batch.Get(Family(Table::kConversations), key, &stored);
  if (!found.ok()) return found.status();
  Conversation c;
  std::optional<int64_t> old_started;
  if (*found) {
    Result<std::string_view> json = DecodeValue(stored);
    if (!json.ok()) return json.status();
    simdjson::dom::object row;
    if (row_parser_.parse(json->data(), json->size()).get(row) || !ParseConversation(row, &c)) {
      return Corruption("stored conversation for session " + std::string(session_id) +
                        " is malformed");
    }
    old_started = c.started_at;
  } else {
    c.conversation_id = "conv_" + std::string(event.id.substr(event.id.find('_') + 1));
    c.session_id = std::string(session_id);
    c.started_at = event.ts_ms;
    c.created_at = event.ts_ms;
  }

  std::string_view s;
  int64_t n = 0;
  simdjson::dom::element v;
  if (!p["status"].get(s)) c.status = std::string(s);
  if (!p["channel"].get(v)) c.channel = OptionalString(v);
  if (!p["resolution"].get(v)) c.resolution = OptionalString(v);
  if (!p["startedAt"].get(n)) c.started_at = n;
  if (!p["endedAt"].get(v)) {
    c.ended_at = v.get(n) ? std::nullopt : std::optional<int64_t>(n);
  }
  if (!p["messages"].get(v)) c.messages_json = simdjson::minify(v);
  if (!p["metadata"].get(v)) c.metadata_json = simdjson::minify(v);
  c.updated_at = event.ts_ms;

  if (old_started && *old_started != c.started_at) {
    batch.Delete(Family(Table::kIndexes),
                 ConversationByStartKey(event.app_id, *old_started, session_id));
  }
  batch.Put(Family(Table::kIndexes), ConversationByStartKey(event.app_id, c.started_at, session_id),
            "");
  batch.Put(Family(Table::kConversations), key, EncodeValue(c.ToJson()));
  return Status::Ok();
}

}  // namespace voxbase
