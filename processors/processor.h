// Processor: folds events from the log into projections.
//
// Apply must be a pure function of the event and the state it reads through the batch: no clock,
// no randomness, no network (DESIGN.md invariant 2). Anything of that kind was decided at ingest
// and is in the event. An event that is valid but changes nothing (a duplicate slug) returns OK;
// an error stops the runner, loudly, at that event.
#pragma once

#include <string_view>

#include "schemas/event.h"
#include "schemas/status.h"
#include "storage/event_log.h"
#include "storage/store.h"

namespace voxbase {

class Processor {
 public:
  virtual ~Processor() = default;
  // Names the processor's position in the positions table; never change it once deployed.
  virtual std::string_view name() const = 0;
  virtual Status Apply(const DecodedEvent& event, const LogPosition& position,
                       StoreBatch& batch) = 0;
};

}  // namespace voxbase
