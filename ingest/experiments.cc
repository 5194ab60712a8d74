#include "ingest/experiments.h"

#include <set>

#include "ingest/secrets.h"
#include "schemas/json_writer.h"
#include "schemas/vocabulary.h"

namespace voxbase {
namespace {
constexpr size_t kMinVariants = 2;
constexpr size_t kMaxVariants = 20;
constexpr size_t kMaxConfigBytes = 16 * 1024;
}  // namespace

Result<ExperimentCommand> BuildExperimentCreated(const CommandInput& in) {
  std::optional<std::string_view> name;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "name", Presence::kRequired, 256, &name));
  simdjson::dom::array variants;
  if (in.body["variants"].get(variants)) return InvalidArgument("variants must be an array");
  if (variants.size() < kMinVariants || variants.size() > kMaxVariants) {
    return InvalidArgument("variants must hold 2 to 20 variants");
  }
  std::set<std::string_view> ids;
  JsonWriter w;
  const std::string id = "exp_" + std::string(EventIdSuffix(in.event_id));
  w.BeginObject().Field("experimentId", id).Field("name", *name).Key("variants").BeginArray();
  size_t i = 0;
  for (simdjson::dom::element element : variants) {
    const std::string where = "variants[" + std::to_string(i++) + "]";
    simdjson::dom::object variant;
    if (element.get(variant)) return InvalidArgument(where + " must be an object");
    std::optional<std::string_view> variant_id;
    VOX_RETURN_IF_ERROR(ReadString(variant, "id", Presence::kRequired, 64, &variant_id, where));
    VOX_RETURN_IF_ERROR(CheckIdentifier(*variant_id, 64, where + ".id"));
    if (!ids.insert(*variant_id).second) {
      return InvalidArgument(where + ".id '" + std::string(*variant_id) + "' is used twice");
    }
    double weight = 0;
    simdjson::dom::element w_value;
    if (variant["weight"].get(w_value) || w_value.get(weight) || !(weight > 0) || weight > 1e9) {
      return InvalidArgument(where + ".weight must be a number greater than 0");
    }
    std::string config = "null";
    simdjson::dom::element config_value;
    if (!variant["config"].get(config_value)) {
      config = simdjson::minify(config_value);
      if (config.size() > kMaxConfigBytes) {
        return InvalidArgument(where + ".config must be at most 16384 bytes as JSON");
      }
    }
    w.BeginObject()
        .Field("id", *variant_id)
        .Field("weight", weight)
        .RawField("config", config)
        .EndObject();
  }
  w.EndArray().EndObject();
  return ExperimentCommand{NewEvent(in, EventType::kExperimentCreated, w.str()), id};
}

Result<ExperimentCommand> BuildExperimentUpdated(const CommandInput& in) {
  std::optional<std::string_view> id, status;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "experimentId", Presence::kRequired, 64, &id));
  VOX_RETURN_IF_ERROR(
      ReadWord(in.body, "status", Presence::kRequired, kExperimentStatuses, &status));
  JsonWriter w;
  w.BeginObject().Field("experimentId", *id).Field("status", *status).EndObject();
  return ExperimentCommand{NewEvent(in, EventType::kExperimentUpdated, w.str()), std::string(*id)};
}

std::string AssignVariant(std::string_view experiment_id, std::string_view session_id,
                          const std::vector<VariantWeight>& variants) {
  std::string input(experiment_id);
  input.push_back('\0');
  input.append(session_id);
  const std::string digest = Sha256(input);
  uint64_t bits = 0;
  for (int b = 0; b < 8; ++b) bits = (bits << 8) | static_cast<unsigned char>(digest[b]);
  // 53 bits make an exact double in [0, 1).
  const double fraction = static_cast<double>(bits >> 11) / static_cast<double>(1ull << 53);
  double total = 0;
  for (const VariantWeight& v : variants) total += v.weight;
  double point = fraction * total, cumulative = 0;
  for (const VariantWeight& v : variants) {
    cumulative += v.weight;
    if (point < cumulative) return v.id;
  }
  return variants.back().id;
}

Result<AssignRequest> ReadAssignRequest(const CommandInput& in) {
  std::optional<std::string_view> id, session_id;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "experimentId", Presence::kRequired, 64, &id));
  VOX_RETURN_IF_ERROR(ReadSessionId(in.body, *in.limits, "", &session_id));
  return AssignRequest{std::string(*id), std::string(*session_id)};
}

Event BuildExperimentAssigned(const CommandInput& in, const AssignRequest& request,
                              std::string_view variant_id) {
  JsonWriter w;
  w.BeginObject()
      .Field("experimentId", request.experiment_id)
      .Field("sessionId", request.session_id)
      .Field("variantId", variant_id)
      .EndObject();
  return NewEvent(in, EventType::kExperimentAssigned, w.str());
}

}  // namespace voxbase
