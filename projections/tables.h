// The tables voxbase projects the log into, and the RocksDB column family that holds each.
//
// The first 18 are seed 001's tables; the rest are system families: slug → app id (the one lookup
// that happens before an app is known), secondary indexes, and processor positions.
#pragma once

#include <string>
#include <vector>

#include "storage/store.h"

namespace voxbase {

enum class Table : int {
  kApps,
  kConversations,
  kEvents,
  kTools,
  kToolExecutions,
  kHandoffs,
  kGuardrailRules,
  kGuardrailViolations,
  kKnowledgeDocuments,
  kKnowledgeGaps,
  kInsights,
  kCsatRatings,
  kExperiments,
  kExperimentExposures,
  kMessages,
  kSessions,
  kLivekitRooms,
  kLivekitParticipants,
  kAppSlugs,     // slug → app id
  kIndexes,      // secondary orders, keyed app id + index kind
  kPositions,    // processor name → next offset per partition
  kDeadLetters,  // be32 partition | be64 offset → a record no processor could apply, and why
};

inline constexpr int kTableCount = 22;

inline int Family(Table table) { return static_cast<int>(table); }

// Column family names, indexed by Family(table).
const std::vector<std::string>& FamilyNames();

// How to open the projection store at `path`: every family above, with the session-ordered
// tables (messages, events) marked append-ordered per session for faster memtable inserts.
StoreOptions ProjectionStoreOptions(std::string path);

}  // namespace voxbase
