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
// Deterministic: everything it decides on is in the events and the store. A search compares its
// vector with up to kMaxOpenGapsCompared open gaps' vectors; those are kept decoded in memory
// (GapVectorCache), so a search costs two store reads, not one read and one base64 decode per
// open gap (the decode was a third of a replay's time). A gap's vector never changes while it is
// open, so a cached one is always right; the open list itself is read from the batch each time.
// Not thread-safe: owned by one ProcessorRunner.
#pragma once

#include <simdjson.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "processors/processor.h"

namespace voxbase {

inline constexpr float kGapFoldSimilarity = 0.80f;

// Open gaps' vectors by app and gap id, decoded. Bounded: past kMaxEntries it starts afresh.
class GapVectorCache {
 public:
  struct Entry {
    std::string embedder;
    std::vector<float> vector;
  };
  const Entry* Find(std::string_view app_id, std::string_view gap_id) const;
  void Put(std::string_view app_id, std::string_view gap_id, Entry entry);
  void Erase(std::string_view app_id, std::string_view gap_id);
  size_t size() const { return entries_.size(); }

  static constexpr size_t kMaxEntries = 20000;  // 768-dimension vectors: about 60 MiB

 private:
  static std::string Key(std::string_view app_id, std::string_view gap_id);
  std::unordered_map<std::string, Entry> entries_;
};

class KnowledgeGapsProcessor final : public Processor {
 public:
  std::string_view name() const override { return "knowledgeGaps"; }
  Status Apply(const DecodedEvent& event, const LogPosition& position, StoreBatch& batch) override;

 private:
  simdjson::dom::parser parser_;
  GapVectorCache vectors_;
};

}  // namespace voxbase
