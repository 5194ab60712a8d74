// knowledgeDocuments: a save writes the document, its chunks and its title and category index
// entries (dropping the old ones when an update changes them); a delete removes all of it.
// Searches and gap dismissals change no table here: the knowledge-gaps processor folds them
// (knowledge_gaps_processor.h).
#include "processors/fold.h"
#include "processors/knowledge_events.h"
#include "projections/knowledge.h"
#include "projections/tables.h"
#include "schemas/json_writer.h"

namespace voxbase {
namespace {

struct Existing {
  std::string title, category;
  int64_t created_at = 0;
};

Result<std::optional<Existing>> LoadDocument(const FoldContext& c, std::string_view id) {
  std::string stored;
  Result<bool> found = c.batch.Get(Family(Table::kKnowledgeDocuments),
                                   KnowledgeDocumentKey(c.event.app_id, id), &stored);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Existing>();
  Result<simdjson::dom::object> row =
      ParseStoredRow(c.row_parser, stored, kKnowledgeDocumentRowVersion);
  if (!row.ok()) return row.status();
  return std::optional<Existing>(Existing{StringField(*row, "title"), StringField(*row, "category"),
                                          IntField(*row, "createdAt")});
}

// Drops a document's index entries. Its title's entry may have moved on to a newer document of
// the same title: that one's stays.
Status Unindex(const FoldContext& c, std::string_view id, const Existing& old) {
  std::string indexed_id;
  const std::string title_key = DocumentTitleKey(c.event.app_id, old.title);
  Result<bool> titled = c.batch.Get(Family(Table::kIndexes), title_key, &indexed_id);
  if (!titled.ok()) return titled.status();
  if (*titled && indexed_id == id) c.batch.Delete(Family(Table::kIndexes), title_key);
  c.batch.Delete(Family(Table::kIndexes), DocumentCategoryKey(c.event.app_id, old.category, id));
  return Status::Ok();
}

Status FoldDocumentSaved(const FoldContext& c) {
  Result<SavedDocument> doc = ReadSavedDocument(c.event);
  if (!doc.ok()) return doc.status();
  Result<std::optional<Existing>> old = LoadDocument(c, doc->document_id);
  if (!old.ok()) return old.status();
  if (old->has_value()) VOX_RETURN_IF_ERROR(Unindex(c, doc->document_id, **old));
  JsonWriter w;
  w.BeginObject()
      .Field("documentId", doc->document_id)
      .Field("title", doc->title)
      .Field("category", doc->category)
      .Field("content", doc->content)
      .Field("contentBytes", static_cast<int64_t>(doc->content.size()))
      .Field("chunks", static_cast<int64_t>(doc->chunks.chunks.size()))
      .Field("embedder", doc->embedder)
      .Field("createdAt", old->has_value() ? (*old)->created_at : c.event.ts_ms)
      .Field("updatedAt", c.event.ts_ms)
      .Field("lastEventId", c.event.id)
      .EndObject();
  const std::string key = KnowledgeDocumentKey(c.event.app_id, doc->document_id);
  c.batch.Put(Family(Table::kKnowledgeDocuments), key,
              EncodeValue(w.view(), kKnowledgeDocumentRowVersion));
  c.batch.Put(Family(Table::kKnowledgeChunks), key, EncodeChunks(doc->chunks));
  c.batch.Put(Family(Table::kIndexes), DocumentTitleKey(c.event.app_id, doc->title),
              doc->document_id);
  c.batch.Put(Family(Table::kIndexes),
              DocumentCategoryKey(c.event.app_id, doc->category, doc->document_id), "");
  return Status::Ok();
}

Status FoldDocumentDeleted(const FoldContext& c) {
  std::string_view id;
  if (c.event.payload["documentId"].get(id)) return BadPayload(c.event, "no documentId");
  Result<std::optional<Existing>> old = LoadDocument(c, id);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::Ok();  // deleted twice: the first one did it
  VOX_RETURN_IF_ERROR(Unindex(c, id, **old));
  const std::string key = KnowledgeDocumentKey(c.event.app_id, id);
  c.batch.Delete(Family(Table::kKnowledgeDocuments), key);
  c.batch.Delete(Family(Table::kKnowledgeChunks), key);
  return Status::Ok();
}

Status FoldedByTheGapsProcessor(const FoldContext&) { return Status::Ok(); }

}  // namespace

void RegisterKnowledgeFolds(FoldTable& folds) {
  folds.On(EventType::kKnowledgeDocumentSaved, &FoldDocumentSaved);
  folds.On(EventType::kKnowledgeDocumentDeleted, &FoldDocumentDeleted);
  folds.On(EventType::kKnowledgeSearched, &FoldedByTheGapsProcessor);
  folds.On(EventType::kKnowledgeGapDismissed, &FoldedByTheGapsProcessor);
}

}  // namespace voxbase
