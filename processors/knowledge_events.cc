#include "processors/knowledge_events.h"

#include "processors/fold.h"
#include "schemas/vector_codec.h"

namespace voxbase {

Result<SavedDocument> ReadSavedDocument(const DecodedEvent& event) {
  const simdjson::dom::object& p = event.payload;
  SavedDocument d;
  int64_t dims = 0;
  double threshold = 0;
  simdjson::dom::array chunks;
  if (p["documentId"].get(d.document_id) || p["title"].get(d.title) ||
      p["category"].get(d.category) || p["content"].get(d.content) ||
      p["embedder"].get(d.embedder) || p["dims"].get(dims) || p["gapThreshold"].get(threshold) ||
      p["chunks"].get(chunks) || dims < 0 || dims > 65536) {
    return BadPayload(event, "a saved document lacks a field");
  }
  d.gap_threshold = static_cast<float>(threshold);
  d.chunks.embedder = std::string(d.embedder);
  d.chunks.dims = static_cast<size_t>(dims);
  for (simdjson::dom::element c : chunks) {
    int64_t begin = 0, end = 0;
    std::string_view vector;
    if (c["begin"].get(begin) || c["end"].get(end) || c["vector"].get(vector) || begin < 0 ||
        end < begin || static_cast<size_t>(end) > d.content.size()) {
      return BadPayload(event, "a chunk is malformed");
    }
    Result<std::vector<float>> v = DecodeVector(vector, d.chunks.dims);
    if (!v.ok()) return BadPayload(event, v.status().message());
    d.chunks.chunks.push_back(
        StoredChunk{static_cast<size_t>(begin), static_cast<size_t>(end), std::move(*v)});
  }
  return d;
}

Result<Searched> ReadSearched(const DecodedEvent& event) {
  const simdjson::dom::object& p = event.payload;
  Searched s;
  std::string_view vector;
  double best = 0, threshold = 0;
  if (p["query"].get(s.query) || p["category"].get(s.category) || p["embedder"].get(s.embedder) ||
      p["vector"].get(vector) || p["bestScore"].get(best) || p["gapThreshold"].get(threshold)) {
    return BadPayload(event, "a search record lacks a field");
  }
  Result<std::vector<float>> v = DecodeVector(vector);
  if (!v.ok()) return BadPayload(event, v.status().message());
  s.vector = std::move(*v);
  s.best_score = static_cast<float>(best);
  s.gap_threshold = static_cast<float>(threshold);
  return s;
}

float Similarity(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

}  // namespace voxbase
