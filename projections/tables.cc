#include "projections/tables.h"

namespace voxbase {

const std::vector<std::string>& FamilyNames() {
  static const std::vector<std::string> kNames = {
      "apps",
      "conversations",
      "events",
      "tools",
      "toolExecutions",
      "handoffs",
      "guardrailRules",
      "guardrailViolations",
      "knowledgeDocuments",
      "knowledgeGaps",
      "insights",
      "csatRatings",
      "experiments",
      "experimentExposures",
      "messages",
      "sessions",
      "livekitRooms",
      "livekitParticipants",
      "sys.appSlugs",
      "sys.indexes",
      "sys.positions",
  };
  return kNames;
}

}  // namespace voxbase
