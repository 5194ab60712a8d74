// The catalogues of the processing stage: which fold modules make up the tables, and which
// processors fold the log. `voxbase serve`, `voxbase replay` and offline `seed-app` all build
// their processors here, so a replay can never run a different set from the live server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processors/fold.h"
#include "processors/processor.h"
#include "projections/knowledge_index.h"

namespace voxbase {

// Every table's folds; Check()ed.
Result<FoldTable> TableFolds();

// Every processor, in the order each event is applied to them: the tables, then the knowledge
// gaps, then the vector index (`knowledge`, which must outlive them; last, so that a record the
// others refuse never reaches the in-memory index).
Result<std::vector<std::unique_ptr<Processor>>> MakeProcessors(KnowledgeIndex& knowledge);

// The names MakeProcessors' processors keep their positions under, in the same order.
std::vector<std::string> ProcessorNames();

}  // namespace voxbase
