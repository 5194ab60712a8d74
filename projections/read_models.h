// Read models: typed, tenant-scoped queries over the projections.
//
// Every query takes the app id first and only ever reads keys under it (DESIGN.md invariant 7).
// Rows that the API returns as they are (messages, telemetry events, conversations) come back as
// their stored JSON, so a list is spliced into the response without being parsed again.
//
// Thread-safety: the views hold a const reference to the store and are safe to use from any
// thread; the store must outlive them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct AppRecord {
  std::string app_id;
  std::string slug;
  std::string name;
  std::string secret_salt;  // raw bytes
  std::string secret_hash;  // raw bytes: SHA-256(salt || secret)
  std::string model_id;
  std::string system_prompt;
  bool reply_as_audio = false;
  int64_t created_at = 0;
};

struct SessionRecord {
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

// A page of stored JSON rows and the cursor for the next page (empty on the last page).
struct Page {
  std::vector<std::string> rows;
  std::string next_cursor;
};

class AppsView {
 public:
  explicit AppsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<AppRecord>> FindBySlug(std::string_view slug) const;
  Result<std::optional<AppRecord>> Get(std::string_view app_id) const;
  // The app id that owns `slug`, if any.
  Result<std::optional<std::string>> AppIdForSlug(std::string_view slug) const;

 private:
  const ProjectionStore& store_;
};

class SessionsView {
 public:
  explicit SessionsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<SessionRecord>> Find(std::string_view app_id,
                                            std::string_view token_hash) const;

 private:
  const ProjectionStore& store_;
};

class ConversationsView {
 public:
  explicit ConversationsView(const ProjectionStore& store) : store_(store) {}
  Result<std::optional<std::string>> Get(std::string_view app_id,
                                         std::string_view session_id) const;
  // Newest first by startedAt; `status` filters when not empty. `cursor` comes from a previous
  // page. At most `limit` rows; scans stop after a bounded number of index entries.
  Result<Page> List(std::string_view app_id, std::string_view status, size_t limit,
                    std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
};

// Records the processor set aside (system-wide, not per app), oldest first.
class DeadLettersView {
 public:
  explicit DeadLettersView(const ProjectionStore& store) : store_(store) {}
  Result<std::vector<std::string>> List(size_t limit) const;

 private:
  const ProjectionStore& store_;
};

// The time-ordered rows of one session in a table keyed by SessionLogKey (messages, events).
class SessionLogView {
 public:
  SessionLogView(const ProjectionStore& store, int family) : store_(store), family_(family) {}
  Result<Page> List(std::string_view app_id, std::string_view session_id, size_t limit,
                    std::string_view cursor) const;

 private:
  const ProjectionStore& store_;
  int family_;
};

}  // namespace voxbase
