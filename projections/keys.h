// Key and value encoding for the projections.
//
// Every table key starts with the 20-character app id (DESIGN.md invariant 7), so one app's rows
// form one contiguous range and a scan can never cross into another app. Numbers inside keys are
// big-endian so bytewise order is numeric order. Variable-length parts (session ids) end with a
// NUL byte, which ingest refuses inside them. Stored values are a version byte then JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schemas/ids.h"
#include "schemas/status.h"

namespace voxbase {

void AppendBigEndian64(std::string* out, uint64_t v);
void AppendBigEndian32(std::string* out, uint32_t v);
uint64_t ReadBigEndian64(std::string_view bytes);

// Rows of a session's time-ordered log (messages, telemetry events):
//   app id | session id | NUL | be64(time) | be64(log offset) | be32(index in event)
std::string SessionLogPrefix(std::string_view app_id, std::string_view session_id);
std::string SessionLogKey(std::string_view app_id, std::string_view session_id, int64_t time_ms,
                          int64_t log_offset, uint32_t index);

std::string ConversationKey(std::string_view app_id, std::string_view session_id);
// Index of conversations newest first: app id | 'C' | be64(INT64_MAX - startedAt) | session id.
std::string ConversationsByStartPrefix(std::string_view app_id);
std::string ConversationByStartKey(std::string_view app_id, int64_t started_at,
                                   std::string_view session_id);

std::string SessionTokenKey(std::string_view app_id, std::string_view token_hash);

// Values: one version byte, then JSON.
inline constexpr char kValueVersion = 1;
std::string EncodeValue(std::string_view json);
Result<std::string_view> DecodeValue(std::string_view stored);

}  // namespace voxbase
