// TablesProcessor: folds events into the seed-001 tables through the FoldTable that the fold
// catalogue fills (see fold.h), and records Idempotency-Keys.
//
// An event that carries an Idempotency-Key already recorded for its app by another event within
// kIdempotencyTtlMs is a retry that raced the first request: it changes nothing. Otherwise the key
// is recorded with the event's id, time and position, and the rows its folds wrote (what a retry's
// answer reads), in the same batch as the event's own rows.
// Not thread-safe: owned and called by one ProcessorRunner.
#pragma once

#include <simdjson.h>

#include <utility>

#include "processors/fold.h"
#include "processors/processor.h"

namespace voxbase {

class TablesProcessor final : public Processor {
 public:
  // `folds` must pass FoldTable::Check().
  explicit TablesProcessor(FoldTable folds) : folds_(std::move(folds)) {}
  std::string_view name() const override { return "tables"; }
  Status Apply(const DecodedEvent& event, const LogPosition& position, StoreBatch& batch) override;

 private:
  // True when the event is a retry of a write already recorded under its key.
  Result<bool> IsRecordedRetry(const DecodedEvent& event, StoreBatch& batch);

  const FoldTable folds_;
  simdjson::dom::parser row_parser_;
};

}  // namespace voxbase
