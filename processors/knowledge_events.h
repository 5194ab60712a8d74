// The knowledge events as the processors read them: the tables folds, the knowledge-gaps
// processor and the vectors processor all read knowledge.document.saved and knowledge.searched
// through these, so the three agree on what a payload means. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "projections/knowledge.h"
#include "schemas/event.h"
#include "schemas/status.h"

namespace voxbase {

struct SavedDocument {
  std::string_view document_id, title, category, content, embedder;
  float gap_threshold = 0;
  StoredChunks chunks;  // ranges checked against the content, vectors decoded
};
// Corruption when the payload is malformed.
Result<SavedDocument> ReadSavedDocument(const DecodedEvent& event);

struct Searched {
  std::string_view query, category, embedder;
  std::vector<float> vector;
  float best_score = 0;
  float gap_threshold = 0;
};
Result<Searched> ReadSearched(const DecodedEvent& event);

// The inner product of two vectors of one length (cosine for unit vectors); 0 when they differ.
float Similarity(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace voxbase
