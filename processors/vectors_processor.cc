#include "processors/vectors_processor.h"

#include "processors/knowledge_events.h"
#include "processors/runner.h"
#include "projections/tables.h"

namespace voxbase {

Status VectorsProcessor::Apply(const DecodedEvent& event, const LogPosition&, StoreBatch&) {
  if (event.type == EventType::kKnowledgeDocumentDeleted) {
    std::string_view id;
    if (event.payload["documentId"].get(id)) return Corruption("a delete without documentId");
    index_.Remove(event.app_id, id);
    return Status::Ok();
  }
  if (event.type != EventType::kKnowledgeDocumentSaved) return Status::Ok();
  Result<SavedDocument> saved = ReadSavedDocument(event);
  if (!saved.ok()) return saved.status();
  IndexedDocument doc;
  doc.document_id = std::string(saved->document_id);
  doc.title = std::string(saved->title);
  doc.category = std::string(saved->category);
  doc.embedder = std::string(saved->embedder);
  doc.dims = saved->chunks.dims;
  for (StoredChunk& c : saved->chunks.chunks) {
    doc.chunks.emplace_back(saved->content.substr(c.begin, c.end - c.begin));
    doc.vectors.push_back(std::move(c.vector));
  }
  index_.Upsert(event.app_id, std::move(doc));
  return Status::Ok();
}

std::string KnowledgeSnapshotPath(const std::string& projections_dir) {
  return projections_dir + "/knowledge-index.snapshot";
}

Result<IndexStart> PrepareKnowledgeIndex(KnowledgeIndex& index, ProjectionStore& store,
                                         const std::string& snapshot_path,
                                         const std::vector<int64_t>& log_start) {
  IndexStart start;
  Result<std::vector<int64_t>> stored = StoredPositions(store, kVectorsProcessorName);
  if (!stored.ok()) return stored.status();
  const std::vector<int64_t> applied = std::move(*stored);
  Result<std::vector<int64_t>> loaded = index.LoadSnapshot(snapshot_path);
  if (loaded.ok()) {
    bool covered = true;  // the snapshot covers no record the processor has not applied
    for (size_t p = 0; p < loaded->size(); ++p) {
      covered = covered && (*loaded)[p] <= (p < applied.size() ? applied[p] : 0);
    }
    bool held = true;  // the log still holds the tail the snapshot needs
    for (size_t p = 0; p < log_start.size(); ++p) {
      held = held && p < loaded->size() && (*loaded)[p] >= log_start[p];
    }
    if (covered && held) {
      std::unique_ptr<StoreBatch> batch = store.NewBatch();
      batch->Put(Family(Table::kPositions), std::string(kVectorsProcessorName),
                 EncodePositions(*loaded));
      VOX_RETURN_IF_ERROR(store.Write(*batch));
      start.from_snapshot = true;
      start.snapshot_positions = std::move(*loaded);
      return start;
    }
    start.why = covered ? "the log no longer holds the records after the snapshot"
                        : "the snapshot is ahead of the projections";
  } else {
    start.why = loaded.status().message();
  }
  VOX_RETURN_IF_ERROR(index.BuildFromProjection(store));
  return start;
}

}  // namespace voxbase
