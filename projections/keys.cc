#include "projections/keys.h"

namespace voxbase {

std::string IndexPrefix(std::string_view app_id, IndexKind kind) {
  std::string key(app_id);
  key.push_back(static_cast<char>(kind));
  return key;
}

void AppendBigEndian64(std::string* out, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
  out->append(bytes, sizeof(bytes));
}

void AppendBigEndian32(std::string* out, uint32_t v) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  out->append(bytes, sizeof(bytes));
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

uint32_t ReadBigEndian32(std::string_view bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < bytes.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string EncodeValue(std::string_view json, char version) {
  std::string value;
  value.reserve(json.size() + 1);
  value.push_back(version);
  value.append(json);
  return value;
}

Result<std::string_view> DecodeValue(std::string_view stored, char version) {
  if (stored.empty() || stored[0] != version) {
    return Corruption("stored value has unknown version byte");
  }
  return stored.substr(1);
}

std::string MakeCursor(std::string_view key, std::string_view app_id) {
  return HexEncode(key.substr(app_id.size()));
}

Result<std::string> CursorKey(std::string_view cursor, std::string_view app_id,
                              std::string_view required_prefix) {
  std::string suffix;
  if (!HexDecode(cursor, &suffix)) return InvalidArgument("cursor is not valid");
  std::string key(app_id);
  key.append(suffix);
  if (!key.starts_with(required_prefix)) return InvalidArgument("cursor is not valid");
  return key;
}

}  // namespace voxbase
