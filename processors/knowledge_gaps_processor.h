// KnowledgeGapsProcessor: the questions the knowledge base could not answer (knowledgeGaps).
//
//  - knowledge.searched whose best similarity is below the threshold recorded in it (the app's, or
//    its embedder's default) is a gap. A question whose normalised text is an open gap's folds
//    into it; so does one whose vector is at least kGapFoldSimilarity from the vector of an open
//    gap's first question (the kMaxOpenGapsCompared most recently asked are compared). Folding
//    counts it, moves lastAskedAt and keeps up to five distinct phrasings. Otherwise it opens a
//    new gap, whose id derives from the search's event id.
//  - knowledge.document.saved resolves every open gap whose question the document answers: the
//    similarity of the gap's vector to one of its chunks is at least the threshold recorded in
//    the save. The gap records which document and event resolved it.
//  - knowledge.gap.dismissed closes an open gap (an operator's decision).
//
// Deterministic: everything it decides on is in the events and the store. Not thread-safe: owned
// by one ProcessorRunner.
#pragma once

#include <simdjson.h>

#include "processors/processor.h"

namespace voxbase {

inline constexpr float kGapFoldSimilarity = 0.80f;

class KnowledgeGapsProcessor final : public Processor {
 public:
  std::string_view name() const override { return "knowledgeGaps"; }
  Status Apply(const DecodedEvent& event, const LogPosition& position, StoreBatch& batch) override;

 private:
  simdjson::dom::parser parser_;
};

}  // namespace voxbase
