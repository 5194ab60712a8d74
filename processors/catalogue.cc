#include "processors/catalogue.h"

#include "processors/knowledge_gaps_processor.h"
#include "processors/tables_processor.h"
#include "processors/vectors_processor.h"

namespace voxbase {

#define VOXBASE_DECLARE_FOLDS(name) void Register##name##Folds(FoldTable& folds);

// One line per table module: Register<Name>Folds, defined in processors/<table>_fold.cc. Its
// handlers run in this order.
#define VOXBASE_FOLD_MODULES(X) \
  X(App)                        \
  X(Session)                    \
  X(SessionLog)                 \
  X(Conversation)               \
  X(Livekit)                    \
  X(Tool)                       \
  X(Handoff)                    \
  X(Csat)                       \
  X(Persona)                    \
  X(Guardrail)                  \
  X(Experiment)                 \
  X(Knowledge)                  \
  X(Insight)

VOXBASE_FOLD_MODULES(VOXBASE_DECLARE_FOLDS)
#undef VOXBASE_DECLARE_FOLDS

Result<FoldTable> TableFolds() {
  FoldTable folds;
#define VOXBASE_REGISTER_FOLDS(name) Register##name##Folds(folds);
  VOXBASE_FOLD_MODULES(VOXBASE_REGISTER_FOLDS)
#undef VOXBASE_REGISTER_FOLDS
  VOX_RETURN_IF_ERROR(folds.Check());
  return folds;
}

Result<std::vector<std::unique_ptr<Processor>>> MakeProcessors(KnowledgeIndex& knowledge) {
  Result<FoldTable> folds = TableFolds();
  if (!folds.ok()) return folds.status();
  std::vector<std::unique_ptr<Processor>> processors;
  processors.push_back(std::make_unique<TablesProcessor>(*folds));
  processors.push_back(std::make_unique<KnowledgeGapsProcessor>());
  processors.push_back(std::make_unique<VectorsProcessor>(knowledge));
  return processors;
}

std::vector<std::string> ProcessorNames() {
  KnowledgeIndex unused;
  Result<std::vector<std::unique_ptr<Processor>>> processors = MakeProcessors(unused);
  std::vector<std::string> names;
  if (!processors.ok()) return names;
  for (const auto& p : *processors) names.emplace_back(p->name());
  return names;
}

}  // namespace voxbase
