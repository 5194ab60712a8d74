#include "processors/catalogue.h"

#include "processors/knowledge_gaps_processor.h"
#include "processors/tables_processor.h"
#include "processors/vectors_processor.h"

namespace voxbase {
namespace {

// One line per table module.
// clang-format off
constexpr void (*kFoldModules[])(FoldTable&) = {
    &RegisterAppFolds,
    &RegisterSessionFolds,
    &RegisterSessionLogFolds,
    &RegisterConversationFolds,
    &RegisterTokenFolds,
    &RegisterLivekitFolds,
    &RegisterToolFolds,
    &RegisterHandoffFolds,
    &RegisterCsatFolds,
    &RegisterPersonaFolds,
    &RegisterGuardrailFolds,
    &RegisterExperimentFolds,
    &RegisterKnowledgeFolds,
};
// clang-format on

}  // namespace

Result<FoldTable> TableFolds() {
  FoldTable folds;
  for (auto module : kFoldModules) module(folds);
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
