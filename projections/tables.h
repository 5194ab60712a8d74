// The tables voxbase projects the log into, and the RocksDB column family that holds each.
//
// One catalogue line per family. The first 18 are seed 001's tables; the rest are system
// families: slug → app id (the one lookup that happens before an app is known), secondary
// indexes, processor positions, dead letters and idempotency keys. Families are opened by name,
// so a new line anywhere is safe for an existing store; a new table's code goes in one file per
// stage (see README.md).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.h"

#define VOXBASE_TABLES(X)                                                                      \
  X(kApps, "apps")                                                                             \
  X(kConversations, "conversations")                                                           \
  X(kEvents, "events")                                                                         \
  X(kTools, "tools")                                                                           \
  X(kToolExecutions, "toolExecutions")                                                         \
  X(kHandoffs, "handoffs")                                                                     \
  X(kGuardrailRules, "guardrailRules")                                                         \
  X(kGuardrailViolations, "guardrailViolations")                                               \
  X(kKnowledgeDocuments, "knowledgeDocuments")                                                 \
  X(kKnowledgeGaps, "knowledgeGaps")                                                           \
  X(kInsights, "insights")                                                                     \
  X(kCsatRatings, "csatRatings")                                                               \
  X(kExperiments, "experiments")                                                               \
  X(kExperimentExposures, "experimentExposures")                                               \
  X(kMessages, "messages")                                                                     \
  X(kSessions, "sessions")                                                                     \
  X(kLivekitRooms, "livekitRooms")                                                             \
  X(kLivekitParticipants, "livekitParticipants")                                               \
  X(kAppSlugs, "sys.appSlugs")       /* slug → app id */                                     \
  X(kIndexes, "sys.indexes")         /* secondary orders: app id | index kind | … */         \
  X(kPositions, "sys.positions")     /* processor name → next offset per partition */        \
  X(kDeadLetters, "sys.deadLetters") /* be32 partition | be64 offset → record and error */   \
  X(kIdempotency, "sys.idempotency") /* app id | Idempotency-Key → first request's event */  \
  X(kOpenExecutions, "sys.openExecutions")   /* node id | NUL | app id | execution id */       \
  X(kKnowledgeChunks, "sys.knowledgeChunks") /* app id | document id → chunks and vectors */ \
  X(kAppliedEvents, "sys.appliedEvents") /* be64 10-min bucket | event id → partition, offset */

namespace voxbase {

enum class Table : int {
#define VOXBASE_TABLE_ENUMERATOR(name, family) name,
  VOXBASE_TABLES(VOXBASE_TABLE_ENUMERATOR)
#undef VOXBASE_TABLE_ENUMERATOR
};

inline constexpr int kTableCount = 0
#define VOXBASE_TABLE_COUNT(name, family) +1
    VOXBASE_TABLES(VOXBASE_TABLE_COUNT)
#undef VOXBASE_TABLE_COUNT
    ;

inline int Family(Table table) { return static_cast<int>(table); }

// Column family names, indexed by Family(table).
const std::vector<std::string>& FamilyNames();

// How to open the projection store at `path`: every family above, with the session-ordered
// tables (messages, events) marked append-ordered per session for faster memtable inserts.
StoreOptions ProjectionStoreOptions(std::string path);

}  // namespace voxbase
