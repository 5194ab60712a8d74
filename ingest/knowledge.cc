#include "ingest/knowledge.h"

#include "ingest/fields.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Sentence and paragraph units of `text`: [begin, end) ranges that cover it.
std::vector<TextChunk> Units(std::string_view text, size_t max_unit) {
  std::vector<TextChunk> units;
  size_t begin = 0;
  auto close = [&](size_t end) {
    while (end - begin > max_unit) {  // a run-on "sentence": cut at a space near the limit
      size_t cut = text.rfind(' ', begin + max_unit);
      if (cut == std::string_view::npos || cut <= begin) cut = begin + max_unit;
      // Never cut inside a UTF-8 sequence.
      while (cut > begin + 1 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
      units.push_back({begin, cut});
      begin = cut;
    }
    if (end > begin) units.push_back({begin, end});
    begin = end;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool paragraph = c == '\n' && i + 1 < text.size() && text[i + 1] == '\n';
    bool sentence = (c == '.' || c == '!' || c == '?') && i + 1 < text.size() &&
                    (text[i + 1] == ' ' || text[i + 1] == '\n');
    if (paragraph || sentence) close(i + 1);
  }
  close(text.size());
  return units;
}

}  // namespace

std::vector<TextChunk> ChunkText(std::string_view content, size_t target) {
  std::vector<TextChunk> chunks;
  std::vector<TextChunk> units = Units(content, target);
  size_t first = 0;
  while (first < units.size()) {
    size_t last = first;
    while (last + 1 < units.size() && units[last + 1].end - units[first].begin <= target) ++last;
    chunks.push_back({units[first].begin, units[last].end});
    if (last + 1 >= units.size()) break;
    // Overlap: the next chunk starts with this one's last sentence, unless that is all it had.
    first = last > first ? last : last + 1;
  }
  return chunks;
}

std::string ChunkEmbeddingText(std::string_view title, std::string_view chunk) {
  std::string text(title);
  text += "\n";
  text += chunk;
  return text;
}

Result<DocumentInput> ReadDocumentInput(simdjson::dom::object body) {
  std::optional<std::string_view> title, content, category, id;
  VOX_RETURN_IF_ERROR(
      ReadString(body, "title", Presence::kRequired, kMaxKnowledgeTitleBytes, &title));
  VOX_RETURN_IF_ERROR(
      ReadString(body, "content", Presence::kRequired, kMaxKnowledgeContentBytes, &content));
  VOX_RETURN_IF_ERROR(ReadString(body, "category", Presence::kOptional, 64, &category));
  VOX_RETURN_IF_ERROR(ReadString(body, "documentId", Presence::kOptional, 128, &id));
  if (IsBlank(*title)) return InvalidArgument("title must not be empty");
  if (IsBlank(*content)) return InvalidArgument("content must not be empty");
  DocumentInput doc{std::string(*title), std::string(*content),
                    std::string(category.value_or(kDefaultCategory)), std::nullopt};
  if (category) VOX_RETURN_IF_ERROR(CheckIdentifier(*category, 64, "category"));
  if (id) {
    VOX_RETURN_IF_ERROR(CheckIdentifier(*id, 128, "documentId"));
    doc.document_id = std::string(*id);
  }
  return doc;
}

std::string NewDocumentId(std::string_view event_id) {
  return "doc_" + std::string(EventIdSuffix(event_id));
}

Result<Event> BuildDocumentSaved(const CommandInput& in, const DocumentInput& doc,
                                 std::string_view document_id, bool by_title,
                                 const Embedder& embedder, float gap_threshold) {
  std::vector<TextChunk> chunks = ChunkText(doc.content);
  std::vector<std::string> texts;
  texts.reserve(chunks.size());
  std::string_view content = doc.content;
  for (const TextChunk& c : chunks) {
    texts.push_back(ChunkEmbeddingText(doc.title, content.substr(c.begin, c.end - c.begin)));
  }
  Result<std::vector<std::vector<float>>> vectors = embedder.Embed(texts);
  if (!vectors.ok()) return vectors.status();
  if (vectors->size() != chunks.size()) return UpstreamError("the embedder lost a chunk");
  JsonWriter w;
  w.BeginObject()
      .Field("documentId", document_id)
      .Field("byTitle", by_title)
      .Field("title", doc.title)
      .Field("category", doc.category)
      .Field("content", doc.content)
      .Field("embedder", embedder.name())
      .Field("dims", static_cast<int64_t>(embedder.dims()))
      .Field("gapThreshold", static_cast<double>(gap_threshold))
      .Key("chunks")
      .BeginArray();
  for (size_t i = 0; i < chunks.size(); ++i) {
    w.BeginObject()
        .Field("begin", static_cast<int64_t>(chunks[i].begin))
        .Field("end", static_cast<int64_t>(chunks[i].end))
        .Field("vector", EncodeVector((*vectors)[i]))
        .EndObject();
  }
  w.EndArray().EndObject();
  return NewEvent(in, EventType::kKnowledgeDocumentSaved, w.str());
}

Result<std::string> ReadDocumentId(simdjson::dom::object body) {
  std::optional<std::string_view> id;
  VOX_RETURN_IF_ERROR(ReadString(body, "documentId", Presence::kRequired, 128, &id));
  VOX_RETURN_IF_ERROR(CheckIdentifier(*id, 128, "documentId"));
  return std::string(*id);
}

Event BuildDocumentDeleted(const CommandInput& in, std::string_view document_id) {
  JsonWriter w;
  w.BeginObject().Field("documentId", document_id).EndObject();
  return NewEvent(in, EventType::kKnowledgeDocumentDeleted, w.str());
}

Result<SearchInput> ReadSearchInput(simdjson::dom::object body) {
  std::optional<std::string_view> query, category;
  std::optional<int64_t> top_k;
  VOX_RETURN_IF_ERROR(ReadString(body, "query", Presence::kRequired, kMaxSearchQueryBytes, &query));
  VOX_RETURN_IF_ERROR(ReadInt(body, "topK", Presence::kOptional, 1, kMaxSearchTopK, &top_k));
  VOX_RETURN_IF_ERROR(ReadString(body, "category", Presence::kOptional, 64, &category));
  if (IsBlank(*query)) return InvalidArgument("query must not be empty");
  SearchInput search;
  search.query = std::string(*query);
  search.top_k = static_cast<size_t>(top_k.value_or(5));
  if (category) search.category = std::string(*category);
  simdjson::dom::element min_score;
  if (!body["minScore"].get(min_score) && !min_score.is_null()) {
    double v = 0;
    if (min_score.get(v) || v < -1 || v > 1) {
      return InvalidArgument("minScore must be a number from -1 to 1");
    }
    search.min_score = static_cast<float>(v);
  } else {
    search.min_score = -1;
  }
  return search;
}

Event BuildSearched(const CommandInput& in, const SearchInput& search, std::string_view embedder,
                    const std::vector<float>& query_vector, float best_score,
                    std::string_view best_document_id, float gap_threshold) {
  JsonWriter w;
  w.BeginObject()
      .Field("query", search.query)
      .Field("category", search.category.value_or(""))
      .Field("embedder", embedder)
      // The vector is what folds a question into a gap: only a search that opens or joins one
      // carries it (3 KiB in base64 at 768 dimensions, on every answered search otherwise).
      .Field("vector", best_score < gap_threshold ? EncodeVector(query_vector) : std::string())
      .Field("bestScore", static_cast<double>(best_score))
      .Field("bestDocumentId", best_document_id)
      .Field("gapThreshold", static_cast<double>(gap_threshold))
      .EndObject();
  return NewEvent(in, EventType::kKnowledgeSearched, w.str());
}

Result<Event> BuildGapDismissed(const CommandInput& in) {
  std::optional<std::string_view> gap_id, status;
  VOX_RETURN_IF_ERROR(ReadString(in.body, "gapId", Presence::kRequired, 64, &gap_id));
  VOX_RETURN_IF_ERROR(CheckIdentifier(*gap_id, 64, "gapId"));
  VOX_RETURN_IF_ERROR(ReadString(in.body, "status", Presence::kRequired, 32, &status));
  if (*status != "dismissed") return InvalidArgument("status must be dismissed");
  JsonWriter w;
  w.BeginObject().Field("gapId", *gap_id).EndObject();
  return NewEvent(in, EventType::kKnowledgeGapDismissed, w.str());
}

}  // namespace voxbase
