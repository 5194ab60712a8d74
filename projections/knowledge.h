// knowledgeDocuments and knowledgeGaps.
//
// knowledgeDocuments: app id | document id → the document (title, category, content, chunk
// count, embedder, times). Its chunks and their vectors are in sys.knowledgeChunks under the same
// key: the vector index (knowledge_index.h) is built from them when it has no snapshot. Indexes:
// title → id (a save without an id updates the document of the same title) and category | id
// (lists by category).
//
// knowledgeGaps: app id | gap id → the gap (question, count, first and last asked, up to five
// example phrasings, status open | resolved | dismissed, and what resolved it). Open gaps are also
// indexed by normalised question, by count (most asked first) and in one list of open gap ids
// with each gap's vector beside it, which is what folding a new question into a gap compares.
//
// The views are tenant-scoped and thread-safe; the store must outlive them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr char kKnowledgeDocumentRowVersion = 1;
inline constexpr char kKnowledgeChunksRowVersion = 1;
inline constexpr char kKnowledgeGapRowVersion = 1;
inline constexpr size_t kMaxOpenGapsCompared = 500;
inline constexpr size_t kMaxGapExamples = 5;

std::string KnowledgeDocumentKey(std::string_view app_id, std::string_view document_id);
std::string DocumentTitleKey(std::string_view app_id, std::string_view title);
std::string DocumentCategoryKey(std::string_view app_id, std::string_view category,
                                std::string_view document_id);
std::string KnowledgeGapKey(std::string_view app_id, std::string_view gap_id);
std::string GapQuestionKey(std::string_view app_id, std::string_view normalized_question);
std::string GapCountKey(std::string_view app_id, int64_t count, std::string_view gap_id);
std::string GapVectorKey(std::string_view app_id, std::string_view gap_id);
std::string OpenGapsKey(std::string_view app_id);

// A knowledgeGaps row; the knowledge-gaps processor writes it, the views serve its JSON.
struct GapRow {
  std::string gap_id, question, category, status = "open", resolved_by, last_event_id;
  int64_t count = 0, first_asked_at = 0, last_asked_at = 0;
  std::optional<int64_t> resolved_at, dismissed_at;
  double best_score = 0;
  std::vector<std::string> examples;

  std::string Encode() const;
  static Result<GapRow> Decode(simdjson::dom::parser& parser, std::string_view stored);
};

// A document's chunks as stored: byte ranges in its content and their vectors.
struct StoredChunk {
  size_t begin = 0;
  size_t end = 0;
  std::vector<float> vector;
};
struct StoredChunks {
  std::string embedder;
  size_t dims = 0;
  std::vector<StoredChunk> chunks;
};
std::string EncodeChunks(const StoredChunks& chunks);
Result<StoredChunks> DecodeChunks(std::string_view stored);

class KnowledgeView {
 public:
  explicit KnowledgeView(const ProjectionStore& store) : store_(store) {}
  // The stored JSON of a document, content included.
  Result<std::optional<std::string>> GetDocument(std::string_view app_id,
                                                 std::string_view document_id) const;
  Result<std::optional<std::string>> DocumentIdForTitle(std::string_view app_id,
                                                        std::string_view title) const;
  // Documents without their content, by id, or by id within one category.
  Result<Page> ListDocuments(std::string_view app_id, std::optional<std::string_view> category,
                             size_t limit, std::string_view cursor) const;
  Result<std::optional<std::string>> GetGap(std::string_view app_id, std::string_view gap_id) const;
  // Open gaps, most asked first; or every gap, by id.
  Result<Page> ListGaps(std::string_view app_id, bool open_only, size_t limit,
                        std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
