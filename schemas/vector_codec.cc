#include "schemas/vector_codec.h"

#include <openssl/evp.h>

#include <cstring>

namespace voxbase {

std::string EncodeVector(const std::vector<float>& v) {
  std::string raw(v.size() * sizeof(float), '\0');
  if (!raw.empty())
    std::memcpy(raw.data(), v.data(), raw.size());  // little-endian hosts only (x86-64, arm64)
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::vector<float>> DecodeVector(std::string_view b64, size_t dims) {
  if (b64.size() % 4 != 0) return InvalidArgument("a vector is not base64");
  std::string raw(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return InvalidArgument("a vector is not base64");
  size_t size = static_cast<size_t>(n);
  if (b64.size() >= 1 && b64.back() == '=') --size;
  if (b64.size() >= 2 && b64[b64.size() - 2] == '=') --size;
  if (size % sizeof(float) != 0 || (dims != 0 && size != dims * sizeof(float))) {
    return InvalidArgument("a vector has the wrong length");
  }
  std::vector<float> v(size / sizeof(float));
  if (size > 0) std::memcpy(v.data(), raw.data(), size);  // memcpy may not take a null pointer
  return v;
}

}  // namespace voxbase
