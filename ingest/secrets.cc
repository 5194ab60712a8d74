#include "ingest/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "schemas/ids.h"

namespace voxbase {
namespace {
constexpr std::string_view kTokenPrefix = "vxs_";
constexpr size_t kTokenRandomBytes = 32;
}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");  // the OS entropy source is gone
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string SaltedSecretHash(std::string_view salt, std::string_view secret) {
  std::string input(salt);
  input.append(secret);
  std::string hash = Sha256(input);
  OPENSSL_cleanse(input.data(), input.size());
  return hash;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string DeriveSessionToken(std::string_view app_id, std::string_view key,
                               std::string_view event_id) {
  static_assert(kTokenRandomBytes == 32, "a token's secret part is one SHA-256 HMAC");
  std::string token(kTokenPrefix);
  token.append(app_id).push_back('_');
  token.append(HexEncode(HmacSha256(key, event_id)));
  return token;
}

bool SessionTokenAppId(std::string_view token, std::string* app_id) {
  if (!token.starts_with(kTokenPrefix)) return false;
  std::string_view rest = token.substr(kTokenPrefix.size());
  if (rest.size() != kAppIdLength + 1 + 2 * kTokenRandomBytes || rest[kAppIdLength] != '_') {
    return false;
  }
  if (!IsAppId(rest.substr(0, kAppIdLength))) return false;
  *app_id = std::string(rest.substr(0, kAppIdLength));
  return true;
}

}  // namespace voxbase
