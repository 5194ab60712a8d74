// Folds: what one event type does to the tables, and the FoldTable that maps every event type to
// its fold.
//
// A fold is a pure function of the event and of the state it reads through the batch (DESIGN.md
// invariant 2). It returns Corruption for a payload it cannot apply (the runner dead-letters the
// record) and any other error to stop the runner. Each table's folds live in a file of their own
// (apps_fold.cc, conversations_fold.cc, …) that exports one Register*Folds function; the fold
// catalogue (catalogue.cc) calls them all, and FoldTable::Check() refuses a catalogue in which an
// event type has no fold or two, so a table cannot be half-registered.
#pragma once

#include <simdjson.h>

#include <array>
#include <string>
#include <string_view>

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

using Fold = Status (*)(const FoldContext& context);

class FoldTable {
 public:
  void Register(EventType type, Fold fold);
  // OK when every event type has exactly one fold.
  Status Check() const;
  Fold Find(EventType type) const { return folds_[static_cast<size_t>(type)]; }

 private:
  std::array<Fold, kEventTypeCount> folds_{};
  std::string twice_;  // the first type registered twice, if any
};

// Corruption naming the event, for payloads a fold cannot apply.
Status BadPayload(const DecodedEvent& event, std::string_view what);

// One per table module; the fold catalogue calls each once.
void RegisterAppFolds(FoldTable& folds);
void RegisterSessionFolds(FoldTable& folds);
void RegisterSessionLogFolds(FoldTable& folds);
void RegisterConversationFolds(FoldTable& folds);
void RegisterTokenFolds(FoldTable& folds);
void RegisterLivekitFolds(FoldTable& folds);
void RegisterToolFolds(FoldTable& folds);
void RegisterHandoffFolds(FoldTable& folds);
void RegisterCsatFolds(FoldTable& folds);
void RegisterPersonaFolds(FoldTable& folds);
void RegisterGuardrailFolds(FoldTable& folds);
void RegisterExperimentFolds(FoldTable& folds);
void RegisterKnowledgeFolds(FoldTable& folds);

}  // namespace voxbase
