#include "projections/tables.h"

#include "schemas/ids.h"

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
      "sys.deadLetters",
  };
  return kNames;
}

StoreOptions ProjectionStoreOptions(std::string path) {
  StoreOptions options;
  options.path = std::move(path);
  options.families = FamilyNames();
  // SessionLogKey: app id (20 bytes) | session id | NUL | increasing time, offset, index.
  for (Table table : {Table::kMessages, Table::kEvents}) {
    options.append_ordered.push_back({Family(table), kAppIdLength, '\0'});
  }
  return options;
}

}  // namespace voxbase
