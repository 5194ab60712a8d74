// VectorsProcessor: feeds saved and deleted knowledge documents into the in-memory KnowledgeIndex
// (projections/knowledge_index.h), from the vectors and chunk ranges carried in the events. It
// writes nothing to the store but its position, which the runner keeps with everyone's.
//
// An upsert or delete is idempotent and the last one for a document wins, so feeding it a record
// twice, or records its index already reflects, converges on the same index: that is what lets a
// node start from a snapshot taken at an older position, or from the projection, and resume.
// PrepareKnowledgeIndex does that at start. Not thread-safe: owned by one ProcessorRunner.
#pragma once

#include <string>

#include "processors/processor.h"
#include "projections/knowledge_index.h"

namespace voxbase {

inline constexpr std::string_view kVectorsProcessorName = "vectors";

class VectorsProcessor final : public Processor {
 public:
  explicit VectorsProcessor(KnowledgeIndex& index) : index_(index) {}
  std::string_view name() const override { return kVectorsProcessorName; }
  Status Apply(const DecodedEvent& event, const LogPosition& position, StoreBatch& batch) override;

 private:
  KnowledgeIndex& index_;
};

struct IndexStart {
  bool from_snapshot = false;
  std::vector<int64_t> snapshot_positions;
  std::string why;  // why the snapshot was not used, when it was not
};

// Before the runner starts: loads the snapshot at `snapshot_path` when it covers no more of the
// log than the vectors processor has applied, and sets that processor's position back to the
// snapshot's so the runner feeds it the tail. Otherwise (no snapshot, a damaged one, one ahead
// of the store, or one older than `log_start`, the log's first offsets after retention) builds the
// index from the knowledgeDocuments projection.
Result<IndexStart> PrepareKnowledgeIndex(KnowledgeIndex& index, ProjectionStore& store,
                                         const std::string& snapshot_path,
                                         const std::vector<int64_t>& log_start = {});

// Where a projection directory keeps its index snapshot.
std::string KnowledgeSnapshotPath(const std::string& projections_dir);

}  // namespace voxbase
