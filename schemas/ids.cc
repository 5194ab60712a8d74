#include "schemas/ids.h"

#include <random>

namespace voxbase {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::mt19937_64& ThreadGenerator() {
  thread_local std::mt19937_64 generator([] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }());
  return generator;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string NewId(std::string_view prefix) {
  uint64_t bits = ThreadGenerator()();
  std::string id(prefix);
  id.resize(prefix.size() + 16);
  for (int i = 15; i >= 0; --i) {
    id[prefix.size() + static_cast<size_t>(i)] = kHexDigits[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

RandomIdSource& RandomIdSource::Instance() {
  static RandomIdSource source;
  return source;
}

std::string SequentialIdSource::NewEventId() {
  std::string bits(8, '\0');
  uint64_t n = next_++;
  for (int i = 7; i >= 0; --i, n >>= 8) bits[static_cast<size_t>(i)] = static_cast<char>(n & 0xff);
  return "evt_" + HexEncode(bits);
}

bool IsAppId(std::string_view id) {
  if (id.size() != kAppIdLength || !id.starts_with("app_")) return false;
  for (char c : id.substr(4)) {
    if (HexValue(c) < 0 || (c >= 'A' && c <= 'F')) return false;
  }
  return true;
}

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 0xf]);
  }
  return out;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string_view EventIdSuffix(std::string_view event_id) {
  size_t at = event_id.find('_');
  return at == std::string_view::npos ? event_id : event_id.substr(at + 1);
}

}  // namespace voxbase
