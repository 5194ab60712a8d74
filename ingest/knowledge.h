// Knowledge base writes: POST /api/knowledge (add or update a document), DELETE /api/knowledge,
// the record a search leaves for gap detection, and PATCH /api/knowledge/gaps (dismiss).
//
// A document's content (≤ 256 KiB) is split into chunks of about 800 bytes on paragraph or
// sentence boundaries, each overlapping the one before by its last sentence. Every chunk is
// embedded together with the title at ingest, and the vectors ride in the event (float32,
// little-endian, base64), so a replay never calls an embedder again. A chunk is carried as its
// byte range in the content, not as a copy. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/command.h"
#include "ingest/embedder.h"
#include "schemas/vector_codec.h"

namespace voxbase {

inline constexpr size_t kMaxKnowledgeContentBytes = 256 * 1024;
inline constexpr size_t kMaxKnowledgeTitleBytes = 512;
inline constexpr size_t kMaxSearchQueryBytes = 4096;
inline constexpr int64_t kMaxSearchTopK = 50;
inline constexpr std::string_view kDefaultCategory = "general";

struct TextChunk {
  size_t begin = 0;
  size_t end = 0;
};

// The chunks of `content`: consecutive, overlapping, covering all of it; none for empty content.
std::vector<TextChunk> ChunkText(std::string_view content, size_t target_bytes = 800);

// What an embedder sees of a chunk: the title, then the chunk.
std::string ChunkEmbeddingText(std::string_view title, std::string_view chunk);

// The fields of POST /api/knowledge, checked.
struct DocumentInput {
  std::string title;
  std::string content;
  std::string category;
  std::optional<std::string> document_id;  // as given by the caller
};
Result<DocumentInput> ReadDocumentInput(simdjson::dom::object body);

// A new document's id, derived from the event id.
std::string NewDocumentId(std::string_view event_id);

// knowledge.document.saved. `by_title` records that the id was found by title; the id in the
// event is final (two racing saves of one new title make two documents).
Result<Event> BuildDocumentSaved(const CommandInput& in, const DocumentInput& doc,
                                 std::string_view document_id, bool by_title,
                                 const Embedder& embedder, float gap_threshold);

Result<std::string> ReadDocumentId(simdjson::dom::object body);
Event BuildDocumentDeleted(const CommandInput& in, std::string_view document_id);

struct SearchInput {
  std::string query;
  size_t top_k = 5;
  std::optional<std::string> category;
  float min_score = 0;
};
Result<SearchInput> ReadSearchInput(simdjson::dom::object body);

// knowledge.searched: what gap detection needs of one search (the query's vector only when the
// search is below the gap threshold).
Event BuildSearched(const CommandInput& in, const SearchInput& search, std::string_view embedder,
                    const std::vector<float>& query_vector, float best_score,
                    std::string_view best_document_id, float gap_threshold);

// knowledge.gap.dismissed, from {gapId, status: "dismissed"}.
Result<Event> BuildGapDismissed(const CommandInput& in);

}  // namespace voxbase
