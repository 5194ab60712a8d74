#include "api/routes.h"

namespace voxbase {

void AddApiRoutes(Router& router, ApiContext& api) {
  // One line per table module.
  for (auto add : {
           &AddAppRoutes,
           &AddSessionRoutes,
           &AddSessionLogRoutes,
           &AddConversationRoutes,
           &AddProviderRoutes,
           &AddLivekitRoutes,
           &AddToolRoutes,
           &AddHandoffRoutes,
           &AddCsatRoutes,
           &AddGuardrailRoutes,
           &AddExperimentRoutes,
           &AddKnowledgeRoutes,
       }) {
    add(router, api);
  }
}

}  // namespace voxbase
