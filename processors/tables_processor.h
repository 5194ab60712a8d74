// TablesProcessor: folds events into the seed-001 tables (apps, sessions, conversations, events,
// messages). What each event does to which table is in tables_processor.cc, one function per
// event type. Not thread-safe: owned and called by one ProcessorRunner.
#pragma once

#include <simdjson.h>

#include "processors/processor.h"

namespace voxbase {

class TablesProcessor final : public Processor {
 public:
  std::string_view name() const override { return "tables"; }
  Status Apply(const DecodedEvent& event, const LogPosition& position, StoreBatch& batch) override;

 private:
  Status ApplyAppCreated(const DecodedEvent& event, StoreBatch& batch);
  Status ApplySessionCreated(const DecodedEvent& event, StoreBatch& batch);
  Status ApplySessionLog(const DecodedEvent& event, const LogPosition& position, StoreBatch& batch,
                         std::string_view array_field, int family, std::string_view time_field);
  Status ApplyConversationSaved(const DecodedEvent& event, StoreBatch& batch);

  simdjson::dom::parser row_parser_;  // for rows read back from the store
};

}  // namespace voxbase
