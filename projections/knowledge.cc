#include "projections/knowledge.h"

#include <cstring>

#include "projections/keys.h"
#include "projections/row_codec.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace voxbase {
namespace {

void PutU32(std::string* out, uint32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }

bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  std::memcpy(v, in->data(), 4);
  in->remove_prefix(4);
  return true;
}

// A document row for a list: everything but the content, which can be 256 KiB.
Result<std::optional<std::string>> WithoutContent(std::string_view stored) {
  thread_local simdjson::dom::parser parser;
  Result<simdjson::dom::object> row = ParseStoredRow(parser, stored, kKnowledgeDocumentRowVersion);
  if (!row.ok()) return row.status();
  JsonWriter w;
  w.BeginObject();
  for (auto field : *row) {
    if (field.key == "content") continue;
    w.Key(field.key).Raw(simdjson::minify(field.value));
  }
  w.EndObject();
  return std::optional<std::string>(w.str());
}

}  // namespace

std::string KnowledgeDocumentKey(std::string_view app_id, std::string_view document_id) {
  return std::string(app_id).append(document_id);
}

std::string DocumentTitleKey(std::string_view app_id, std::string_view title) {
  return IndexPrefix(app_id, IndexKind::kDocumentsByTitle).append(NormalizedQuestion(title));
}

std::string DocumentCategoryKey(std::string_view app_id, std::string_view category,
                                std::string_view document_id) {
  std::string key = IndexPrefix(app_id, IndexKind::kDocumentsByCategory);
  key.append(category).push_back('\0');
  return key.append(document_id);
}

std::string KnowledgeGapKey(std::string_view app_id, std::string_view gap_id) {
  return std::string(app_id).append(gap_id);
}

std::string GapQuestionKey(std::string_view app_id, std::string_view normalized_question) {
  return IndexPrefix(app_id, IndexKind::kGapsByQuestion).append(normalized_question);
}

std::string GapCountKey(std::string_view app_id, int64_t count, std::string_view gap_id) {
  std::string key = IndexPrefix(app_id, IndexKind::kGapsByCount);
  AppendBigEndian64(&key, static_cast<uint64_t>(INT64_MAX - count));
  return key.append(gap_id);
}

std::string GapVectorKey(std::string_view app_id, std::string_view gap_id) {
  return IndexPrefix(app_id, IndexKind::kGapVectors).append(gap_id);
}

std::string OpenGapsKey(std::string_view app_id) {
  return IndexPrefix(app_id, IndexKind::kOpenGaps);
}

namespace {

constexpr auto kGapFields = std::make_tuple(
    Col("gapId", &GapRow::gap_id), Col("question", &GapRow::question),
    Col("category", &GapRow::category), Col("count", &GapRow::count),
    Col("firstAskedAt", &GapRow::first_asked_at), Col("lastAskedAt", &GapRow::last_asked_at),
    Col("examples", &GapRow::examples), Col("status", &GapRow::status),
    Col("bestScore", &GapRow::best_score), Col("resolvedBy", &GapRow::resolved_by),
    Col("resolvedAt", &GapRow::resolved_at), Col("dismissedAt", &GapRow::dismissed_at),
    Col("lastEventId", &GapRow::last_event_id));

}  // namespace

std::string GapRow::Encode() const {
  return EncodeValue(RowJson(*this, kGapFields), kKnowledgeGapRowVersion);
}

Result<GapRow> GapRow::Decode(simdjson::dom::parser& parser, std::string_view stored) {
  return DecodeRow<GapRow>(parser, stored, kKnowledgeGapRowVersion, kGapFields, "knowledge gap");
}

std::string EncodeChunks(const StoredChunks& c) {
  std::string out(1, kKnowledgeChunksRowVersion);
  PutU32(&out, static_cast<uint32_t>(c.embedder.size()));
  out += c.embedder;
  PutU32(&out, static_cast<uint32_t>(c.dims));
  PutU32(&out, static_cast<uint32_t>(c.chunks.size()));
  for (const StoredChunk& chunk : c.chunks) {
    PutU32(&out, static_cast<uint32_t>(chunk.begin));
    PutU32(&out, static_cast<uint32_t>(chunk.end));
    out.append(reinterpret_cast<const char*>(chunk.vector.data()),
               chunk.vector.size() * sizeof(float));
  }
  return out;
}

Result<StoredChunks> DecodeChunks(std::string_view in) {
  if (in.empty() || in[0] != kKnowledgeChunksRowVersion) {
    return Corruption("a knowledge chunks row of an unknown version");
  }
  in.remove_prefix(1);
  StoredChunks c;
  uint32_t name_size = 0, dims = 0, count = 0;
  if (!GetU32(&in, &name_size) || in.size() < name_size) return Corruption("a short chunks row");
  c.embedder = std::string(in.substr(0, name_size));
  in.remove_prefix(name_size);
  if (!GetU32(&in, &dims) || !GetU32(&in, &count)) return Corruption("a short chunks row");
  c.dims = dims;
  for (uint32_t i = 0; i < count; ++i) {
    StoredChunk chunk;
    uint32_t begin = 0, end = 0;
    if (!GetU32(&in, &begin) || !GetU32(&in, &end) || in.size() < dims * sizeof(float)) {
      return Corruption("a short chunks row");
    }
    chunk.begin = begin;
    chunk.end = end;
    chunk.vector.resize(dims);
    if (dims > 0) std::memcpy(chunk.vector.data(), in.data(), dims * sizeof(float));
    in.remove_prefix(dims * sizeof(float));
    c.chunks.push_back(std::move(chunk));
  }
  if (!in.empty()) return Corruption("a chunks row with trailing bytes");
  return c;
}

Result<std::optional<std::string>> KnowledgeView::GetDocument(std::string_view app_id,
                                                              std::string_view document_id) const {
  return GetStoredJson(store_, Family(Table::kKnowledgeDocuments),
                       KnowledgeDocumentKey(app_id, document_id), kKnowledgeDocumentRowVersion);
}

Result<std::optional<std::string>> KnowledgeView::DocumentIdForTitle(std::string_view app_id,
                                                                     std::string_view title) const {
  std::string id;
  Result<bool> found = store_.Get(Family(Table::kIndexes), DocumentTitleKey(app_id, title), &id);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(id));
}

Result<Page> KnowledgeView::ListDocuments(std::string_view app_id,
                                          std::optional<std::string_view> category, size_t limit,
                                          std::string_view cursor) const {
  if (!category) {
    return ScanPage(store_, Family(Table::kKnowledgeDocuments), app_id, std::string(app_id), limit,
                    cursor,
                    [](std::string_view, std::string_view value) { return WithoutContent(value); });
  }
  std::string prefix = IndexPrefix(app_id, IndexKind::kDocumentsByCategory);
  prefix.append(*category).push_back('\0');
  const size_t id_at = prefix.size();
  return ScanPage(store_, Family(Table::kIndexes), app_id, prefix, limit, cursor,
                  [this, app_id, id_at](std::string_view key,
                                        std::string_view) -> Result<std::optional<std::string>> {
                    std::string stored;
                    Result<bool> found =
                        store_.Get(Family(Table::kKnowledgeDocuments),
                                   KnowledgeDocumentKey(app_id, key.substr(id_at)), &stored);
                    if (!found.ok()) return found.status();
                    if (!*found) return std::optional<std::string>();
                    return WithoutContent(stored);
                  });
}

Result<std::optional<std::string>> KnowledgeView::GetGap(std::string_view app_id,
                                                         std::string_view gap_id) const {
  return GetStoredJson(store_, Family(Table::kKnowledgeGaps), KnowledgeGapKey(app_id, gap_id),
                       kKnowledgeGapRowVersion);
}

Result<Page> KnowledgeView::ListGaps(std::string_view app_id, bool open_only, size_t limit,
                                     std::string_view cursor) const {
  if (!open_only) {
    return ScanPage(store_, Family(Table::kKnowledgeGaps), app_id, std::string(app_id), limit,
                    cursor, StoredRow(kKnowledgeGapRowVersion));
  }
  std::string prefix = IndexPrefix(app_id, IndexKind::kGapsByCount);
  const size_t id_at = prefix.size() + 8;
  return ScanPage(store_, Family(Table::kIndexes), app_id, prefix, limit, cursor,
                  [this, app_id, id_at](std::string_view key, std::string_view) {
                    return GetGap(app_id, key.substr(id_at));
                  });
}

}  // namespace voxbase
