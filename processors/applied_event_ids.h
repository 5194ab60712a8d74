// AppliedEventIds: which events were applied, by event id, for a window of event time, so that an
// event the log holds twice — a Kafka producer that wrote one batch twice during a leader change
// (librdkafka #4953), or any other duplicate at a new offset — changes the projections once.
//
// sys.appliedEvents holds be64(event time / 10 min) | event id → the position it was applied at.
// A record whose event id is there with another position is a duplicate; with its own position it
// is being applied again by a processor that does not have it yet (one added later, or a replay),
// which is not a duplicate. Ids are kept for kWindowMs of event time behind the newest event
// applied: an event in an older bucket is not looked up (nor recorded), and when an event opens a
// newer 10-minute bucket, the entries of the forgotten buckets go in one range delete. Every
// decision rests on the events' own times and order, so a replay keeps and drops the same ids and
// its checksum equals the live one. A duplicate older than the window is applied again. Stateless
// apart from the store; called by the runner's applying thread.
#pragma once

#include <cstdint>

#include "schemas/event.h"
#include "schemas/status.h"
#include "storage/event_log.h"
#include "storage/store.h"

namespace voxbase {

class AppliedEventIds {
 public:
  static constexpr int64_t kBucketMs = 10 * 60 * 1000;
  static constexpr int64_t kWindowMs = 60 * 60 * 1000;

  // True when `event` was applied at another position (skip it); otherwise records it (when new)
  // in `batch` and returns false.
  static Result<bool> SeenElsewhere(const DecodedEvent& event, const LogPosition& at,
                                    StoreBatch& batch);
};

}  // namespace voxbase
