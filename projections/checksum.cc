#include "projections/checksum.h"

#include <openssl/evp.h>

#include <memory>

#include "schemas/ids.h"

namespace voxbase {
namespace {

void HashFramed(EVP_MD_CTX* ctx, std::string_view bytes) {
  unsigned char len[8];
  uint64_t n = bytes.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  EVP_DigestUpdate(ctx, len, sizeof(len));
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
}

}  // namespace

Result<ProjectionDigest> ChecksumProjections(const ProjectionStore& store) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Internal("cannot start SHA-256");
  }
  ProjectionDigest digest;
  for (size_t f = 0; f < store.family_count(); ++f) {
    HashFramed(ctx.get(), store.family_name(static_cast<int>(f)));
    auto it = store.NewIterator(static_cast<int>(f));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      HashFramed(ctx.get(), it->key());
      HashFramed(ctx.get(), it->value());
      ++digest.rows;
    }
    VOX_RETURN_IF_ERROR(it->status());
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out, &out_len) != 1) return Internal("cannot finish SHA-256");
  digest.hex = HexEncode(std::string_view(reinterpret_cast<const char*>(out), out_len));
  return digest;
}

}  // namespace voxbase
