// Folds: what an event does to the tables, and the FoldTable that says which handlers hear it.
//
// A handler is a pure function of the event and of the state it reads through the batch (DESIGN.md
// invariant 2). It returns Corruption for a payload it cannot apply (the runner dead-letters the
// record) and any other error to stop the runner.
//
// Each table module (apps_fold.cc, conversations_fold.cc, …) exports one Register<Name>Folds
// function that subscribes its handlers (declared and called by the catalogue, catalogue.cc), and
// never calls into another module. It may hear:
// - event types, its own and others' (FoldTable::On). Several handlers may hear one type; they run
//   in registration order, which is the catalogue's (catalogue.cc).
// - rows of other tables that this event changed (FoldTable::OnRowChanged), with the row before
//   the event and as it stands: how a table follows state another table derives (a handoff that
//   resolved, a room that ended) without knowing which events made it. They run once the event's
//   handlers have, in catalogue order, and again for rows they change in turn.
// Everything runs inside the processor's batch, so an event's effects on every table and the
// processor's position commit together (invariant 3). FoldTable::Check() refuses a catalogue in
// which an event type has no handler, so a table cannot be half-registered.
#pragma once

#include <simdjson.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/tables.h"
#include "schemas/event.h"
#include "schemas/status.h"
#include "storage/event_log.h"
#include "storage/store.h"

namespace voxbase {

struct FoldContext {
  const DecodedEvent& event;
  const LogPosition& position;
  StoreBatch& batch;
  simdjson::dom::parser& row_parser;  // for rows read back from the store
};

// A row this event changed: as it was before the event (or before the handler that last saw it),
// and as it stands now. Absent values are rows that did not exist or were deleted.
struct RowChange {
  Table table;
  std::string key;
  std::optional<std::string> before;
  std::optional<std::string> after;
};

using Fold = Status (*)(const FoldContext& context);
using RowFold = Status (*)(const FoldContext& context, const RowChange& change);

class FoldTable {
 public:
  void On(EventType type, Fold fold);
  void OnRowChanged(Table table, RowFold fold);
  // OK when every event type has a handler.
  Status Check() const;
  const std::vector<Fold>& Handlers(EventType type) const {
    return folds_[static_cast<size_t>(type)];
  }
  const std::vector<RowFold>& RowHandlers(Table table) const {
    return row_folds_[static_cast<size_t>(table)];
  }
  bool Watched(int family) const {
    return family >= 0 && family < kTableCount && !row_folds_[static_cast<size_t>(family)].empty();
  }

 private:
  std::array<std::vector<Fold>, kEventTypeCount> folds_{};
  std::array<std::vector<RowFold>, kTableCount> row_folds_{};
};

// Runs every handler of `context.event`, then the row handlers of the rows it changed.
Status ApplyFolds(const FoldTable& folds, const FoldContext& context);

// Corruption naming the event, for payloads a fold cannot apply.
Status BadPayload(const DecodedEvent& event, std::string_view what);

}  // namespace voxbase
