#include "ingest/apps.h"

#include "ingest/embedder.h"
#include "ingest/secrets.h"
#include "schemas/ids.h"
#include "schemas/json_writer.h"
#include "schemas/time_zone.h"

namespace voxbase {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kMinSecretBytes = 16;
constexpr size_t kMaxSecretBytes = 256;
constexpr size_t kMaxSlugBytes = 64;

Status CheckSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > kMaxSlugBytes) {
    return InvalidArgument("slug must be 1 to 64 characters");
  }
  for (char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return InvalidArgument("slug may contain only a-z, 0-9, '-' and '_'");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string AppIdForEvent(std::string_view event_id) {
  return "app_" + std::string(EventIdSuffix(event_id));
}

Result<Event> BuildAppCreated(const CommandInput& in) {
  std::optional<std::string_view> slug, name, secret, model_id, prompt;
  std::optional<bool> audio;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "slug", Presence::kRequired, kMaxSlugBytes, &slug));
  VOX_RETURN_IF_ERROR(CheckSlug(*slug));
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "name", Presence::kRequired, in.limits->max_name_bytes, &name));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "secret", Presence::kRequired, kMaxSecretBytes, &secret));
  if (secret->size() < kMinSecretBytes) {
    return InvalidArgument("secret must be at least 16 characters");
  }
  VOX_RETURN_IF_ERROR(
      ReadString(in.body, "modelId", Presence::kOptional, in.limits->max_name_bytes, &model_id));
  VOX_RETURN_IF_ERROR(ReadBool(in.body, "replyAsAudio", Presence::kOptional, &audio));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "systemPrompt", Presence::kOptional,
                                 in.limits->max_prompt_bytes, &prompt));
  // The knowledge base: an embedder other than the server's, and the best similarity below
  // which a search opens a knowledge gap (ingest/embedder.h).
  std::optional<std::string_view> embedder;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "embedder", Presence::kOptional, 16, &embedder));
  if (embedder && !IsEmbedderName(*embedder)) {
    return InvalidArgument("embedder must be local, openai or gemini");
  }
  std::optional<double> gap_threshold;
  simdjson::dom::element threshold;
  if (!in.body["gapThreshold"].get(threshold) && !threshold.is_null()) {
    double v = 0;
    if (threshold.get(v) || v < -1 || v > 1) {
      return InvalidArgument("gapThreshold must be a number from -1 to 1");
    }
    gap_threshold = v;
  }

  // The app's own write quota (api/write_quota.h), over the server's: events a second (0: no
  // limit) and the burst.
  std::optional<int64_t> write_rate, write_burst;
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "writeRate", Presence::kOptional, 0, 10'000'000, &write_rate));
  VOX_RETURN_IF_ERROR(
      ReadInt(in.body, "writeBurst", Presence::kOptional, 1, 100'000'000, &write_burst));
  if (write_burst && !write_rate) return InvalidArgument("writeBurst goes with writeRate");

  // The IANA time zone its analytics count days, weeks and months in (UTC when absent).
  std::optional<std::string_view> timezone;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "timezone", Presence::kOptional, 64, &timezone));
  if (timezone) {
    Result<TimeZone> zone = TimeZone::Find(*timezone);
    if (!zone.ok()) return zone.status();
  }

  std::string app_id = AppIdForEvent(in.event_id);
  if (!IsAppId(app_id)) return Internal("event id " + std::string(in.event_id) + " is malformed");
  std::string salt = RandomBytes(kSaltBytes);
  JsonWriter w;
  w.BeginObject()
      .Field("appId", app_id)
      .Field("slug", *slug)
      .Field("name", *name)
      .Field("secretSalt", HexEncode(salt))
      .Field("secretHash", HexEncode(SaltedSecretHash(salt, *secret)))
      .Field("modelId", model_id.value_or(""))
      .Field("replyAsAudio", audio.value_or(false))
      .Field("systemPrompt", prompt.value_or(""))
      .Field("embedder", embedder.value_or(""))
      .Field("createdAt", in.now_ms);
  if (gap_threshold) w.Field("gapThreshold", *gap_threshold);
  if (write_rate) w.Field("writeRate", *write_rate);
  if (write_burst) w.Field("writeBurst", *write_burst);
  if (timezone) w.Field("timezone", *timezone);
  w.EndObject();
  return NewEvent(in, EventType::kAppCreated, std::move(app_id), w.str());
}

Result<Event> BuildAnalyticsSettingsUpdated(const CommandInput& in) {
  std::optional<std::string_view> timezone;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "timezone", Presence::kRequired, 64, &timezone));
  Result<TimeZone> zone = TimeZone::Find(*timezone);
  if (!zone.ok()) return zone.status();
  JsonWriter w;
  w.BeginObject().Field("timezone", zone->name()).EndObject();
  return NewEvent(in, EventType::kAnalyticsSettingsUpdated, w.str());
}

}  // namespace voxbase
