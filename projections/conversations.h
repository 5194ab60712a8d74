// Conversations table: one row per (app, session id), and the newest-first index
// (IndexKind::kConversationsByStart) in sys.indexes. ConversationRow is the row type, with its
// encoding; the fold in processors/conversations_fold.cc merges saves into it.
//
// ConversationsView is thread-safe; the store must outlive it.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "projections/rows.h"
#include "schemas/status.h"
#include "schemas/vocabulary.h"
#include "storage/store.h"

namespace voxbase {

struct ConversationRow {
  std::string conversation_id;
  std::string session_id;
  std::string status = std::string(kConversationDefaultStatus);
  std::optional<std::string> channel;
  std::optional<std::string> resolution;
  int64_t started_at = 0;
  std::optional<int64_t> ended_at;
  std::string messages_json = "[]";
  std::string metadata_json = "null";
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> handed_off_at;   // the first time a human was handed the conversation
  std::optional<std::string> end_reason;  // kEndReasons
  std::optional<std::string> end_reason_detail;

  std::string ToJson() const;  // as the API shows it, with durationMs derived
  std::string Encode() const { return EncodeValue(ToJson(), kVersion); }
  static Result<ConversationRow> Decode(simdjson::dom::parser& parser, std::string_view stored);

  static constexpr char kVersion = 1;
};

std::string ConversationKey(std::string_view app_id, std::string_view session_id);
std::string ConversationByStartKey(std::string_view app_id, int64_t started_at,
                                   std::string_view session_id);

class ConversationsView {
 public:
  explicit ConversationsView(const ProjectionStore& store) : store_(store) {}
  // The stored JSON of one conversation.
  Result<std::optional<std::string>> Get(std::string_view app_id,
                                         std::string_view session_id) const;
  // Newest first by startedAt; `status` filters when not empty. `cursor` comes from a previous
  // page. At most `limit` rows; scans stop after a bounded number of index entries.
  Result<Page> List(std::string_view app_id, std::string_view status, size_t limit,
                    std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
};

}  // namespace voxbase
