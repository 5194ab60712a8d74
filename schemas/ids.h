// Identifiers decided at ingest: event ids, entity ids and hex encoding.
//
// Ids are random (a per-thread generator seeded from the OS) and are always recorded in the event
// that introduces them, so replay never draws a new one. They are not secrets: tokens and salts
// come from ingest/secrets.h instead. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace voxbase {

// prefix + 16 lowercase hex digits, e.g. "evt_3f9c0a1b2c3d4e5f".
std::string NewId(std::string_view prefix);

// Where the API draws event ids from; injected so tests can make ids predictable. Thread-safe.
class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string NewEventId() = 0;
};

// Random ids from NewId("evt_").
class RandomIdSource final : public IdSource {
 public:
  std::string NewEventId() override { return NewId("evt_"); }
  static RandomIdSource& Instance();
};

// "evt_" + a counter as 16 hex digits, from `start`; for tests.
class SequentialIdSource final : public IdSource {
 public:
  explicit SequentialIdSource(uint64_t start = 1) : next_(start) {}
  std::string NewEventId() override;

 private:
  std::atomic<uint64_t> next_;
};

// App ids are "app_" + 16 hex digits: fixed length, so a key can start with one and no more.
inline constexpr size_t kAppIdLength = 20;
bool IsAppId(std::string_view id);

// The hex part of an event id, from which the ids a write creates are derived.
std::string_view EventIdSuffix(std::string_view event_id);

std::string HexEncode(std::string_view bytes);
// Returns false when `hex` has odd length or a non-hex digit.
bool HexDecode(std::string_view hex, std::string* out);

}  // namespace voxbase
