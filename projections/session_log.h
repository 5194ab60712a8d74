// Session-log tables (messages, telemetry events), listed per session in time order. An item's
// place is (time, log offset, index in its event); places are unique and totally ordered. Under
// app id | session id | NUL, three kinds of key:
//
//   be64(time) | be64(offset) | be32(index)         a run: two or more of one event's items for
//                                                   the session, all placed after every run
//                                                   stored before it, in place order (version 2)
//   0xFE | be64(time) | be64(offset) | be32(index)  an item alone: an event's only item for the
//                                                   session, or one placed before the session's
//                                                   head when it arrived (version 1: its JSON)
//   0xFF                                            the head: the last place of the session's
//                                                   runs (20 bytes)
//
// A run starts after the head and moves it to its last item, so runs never overlap and their keys
// order them. A page is a merge of two ordered streams: items from runs, starting in the run that
// holds the cursor, and items alone. A batch of 100 messages for one session is one row, not 100;
// an event with one item for the session is one row, as before, and reads no head.
// Times before 1970 are refused at ingest and times fit in 48 bits, so a run key never starts with
// 0xFE or 0xFF. Projections written before runs (one item per row under a run key) read as
// corruption: `voxbase replay` rebuilds them.
//
// SessionLogView is thread-safe; the store must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projections/rows.h"
#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

inline constexpr char kSessionLogItemVersion = 1;
inline constexpr char kSessionLogRunVersion = 2;

std::string SessionLogPrefix(std::string_view app_id, std::string_view session_id);

// One item of an event for the session log; `json` is what the list returns for it, in storage
// the caller keeps until AppendSessionLog returns.
struct SessionLogItem {
  int64_t time = 0;
  uint32_t index = 0;
  std::string_view json;
};

// Writes one event's items for one session (any order) into the batch: a single item alone;
// otherwise those placed after the session's head as one run and any before it alone. Reads the
// head through the batch only for a run.
Status AppendSessionLog(StoreBatch& batch, int family, std::string_view app_id,
                        std::string_view session_id, int64_t log_offset,
                        std::vector<SessionLogItem>& items);

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
