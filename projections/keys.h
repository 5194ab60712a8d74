// What every table's keys and values share.
//
// Every table key starts with the 20-character app id (DESIGN.md invariant 7), so one app's rows
// form one contiguous range and a scan can never cross into another app. Numbers inside keys are
// big-endian so bytewise order is numeric order. Variable-length parts (session ids) end with a
// NUL byte, which ingest refuses inside them. Stored values are a version byte, then JSON; each
// row type names its own version. Secondary indexes live in the sys.indexes family under
// app id | index kind, where the kind's byte comes from the catalogue below. Each table's own keys
// are in its file (conversations.h, session_log.h, …).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schemas/ids.h"
#include "schemas/status.h"

// One line per secondary index. The byte of a kind is its place in this list (from 1): append
// only, never reorder or remove a line.
#define VOXBASE_INDEX_KINDS(X)                                                                 \
  X(kConversationsByStart) /* newest first: be64(INT64_MAX - startedAt) | session id */        \
  X(kExecutionsBySession)  /* session id | NUL | be64(startedAt) | execution id */             \
  X(kExecutionsByTool)     /* tool name | NUL | be64(startedAt) | execution id */              \
  X(kHandoffQueue)         /* status | NUL | priority rank | be64(createdAt) | handoff id */   \
  X(kGuardrailVersion)     /* (nothing) → be64 count of rule-set changes */                  \
  X(kExposuresBySession)   /* session id → the experiment ids it is exposed to (JSON) */     \
  X(kDocumentsByTitle)     /* normalised title → document id */                              \
  X(kDocumentsByCategory)  /* category | NUL | document id */                                  \
  X(kGapsByQuestion)       /* normalised question → open gap id */                           \
  X(kGapsByCount)          /* be64(INT64_MAX - count) | gap id: open gaps, most asked first */ \
  X(kGapVectors)           /* gap id → the embedder and vector of its first question */      \
  X(kOpenGaps)             /* (nothing) → the open gap ids, most recently asked last (JSON) */

namespace voxbase {

enum class IndexKind : uint8_t {
  kNone = 0,
#define VOXBASE_INDEX_ENUMERATOR(name) name,
  VOXBASE_INDEX_KINDS(VOXBASE_INDEX_ENUMERATOR)
#undef VOXBASE_INDEX_ENUMERATOR
};

// app id | kind byte: where one app's entries of one index start.
std::string IndexPrefix(std::string_view app_id, IndexKind kind);

void AppendBigEndian64(std::string* out, uint64_t v);
void AppendBigEndian32(std::string* out, uint32_t v);
uint64_t ReadBigEndian64(std::string_view bytes);
uint32_t ReadBigEndian32(std::string_view bytes);

// Values: one version byte, then JSON. A row type passes its own version.
inline constexpr char kValueVersion = 1;
std::string EncodeValue(std::string_view json, char version = kValueVersion);
Result<std::string_view> DecodeValue(std::string_view stored, char version = kValueVersion);

// Cursors are the hex of the key after the app id, so a cursor cannot point into another app.
std::string MakeCursor(std::string_view key, std::string_view app_id);
// The key a cursor resumes at; refused unless it lies under `required_prefix`.
Result<std::string> CursorKey(std::string_view cursor, std::string_view app_id,
                              std::string_view required_prefix);

}  // namespace voxbase
