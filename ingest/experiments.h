// A/B experiments: created with weighted variants, stopped or restarted, and sessions assigned a
// variant. Assignment is a pure function of (experimentId, sessionId) and the weights — the first
// 8 bytes of SHA-256(experimentId | NUL | sessionId) as a fraction of the total weight, on the
// cumulative weights — so a replay and every node of a Kafka deployment pick the same variant.
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "ingest/command.h"

namespace voxbase {

struct VariantWeight {
  std::string id;
  double weight = 0;
};

struct ExperimentCommand {
  Event event;
  std::string experiment_id;
};

// POST /api/experiments {name, variants: [{id, weight > 0, config}]}: 2–20 variants, unique ids.
Result<ExperimentCommand> BuildExperimentCreated(const CommandInput& in);
// PATCH /api/experiments {experimentId, status: running | stopped}.
Result<ExperimentCommand> BuildExperimentUpdated(const CommandInput& in);

// The variant (experimentId, sessionId) gets.
std::string AssignVariant(std::string_view experiment_id, std::string_view session_id,
                          const std::vector<VariantWeight>& variants);

struct AssignRequest {
  std::string experiment_id;
  std::string session_id;
};
Result<AssignRequest> ReadAssignRequest(const CommandInput& in);
Event BuildExperimentAssigned(const CommandInput& in, const AssignRequest& request,
                              std::string_view variant_id);

}  // namespace voxbase
