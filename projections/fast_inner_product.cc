#include "projections/fast_inner_product.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/DistanceComputer.h>

#include <cstring>
#include <memory>

namespace voxbase {

__attribute__((target_clones("avx512f", "avx2", "default"))) float FastInnerProduct(const float* a,
                                                                                    const float* b,
                                                                                    size_t d) {
  // Eight lanes, two accumulators: the compiler lowers these to ymm or xmm registers per clone.
  using V = float __attribute__((vector_size(32)));
  V acc0 = {}, acc1 = {};
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    V x0, y0, x1, y1;
    std::memcpy(&x0, a + i, sizeof(V));
    std::memcpy(&y0, b + i, sizeof(V));
    std::memcpy(&x1, a + i + 8, sizeof(V));
    std::memcpy(&y1, b + i + 8, sizeof(V));
    acc0 += x0 * y0;
    acc1 += x1 * y1;
  }
  V acc = acc0 + acc1;
  float sum = 0;
  for (int lane = 0; lane < 8; ++lane) sum += acc[lane];
  for (; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

namespace {

struct FastComputer final : faiss::FlatCodesDistanceComputer {
  explicit FastComputer(const faiss::IndexFlatCodes& index)
      : faiss::FlatCodesDistanceComputer(index.codes.data(), index.code_size),
        d(static_cast<size_t>(index.d)),
        base(reinterpret_cast<const float*>(index.codes.data())) {}
  void set_query(const float* x) override { query = x; }
  float distance_to_code(const uint8_t* code) override {
    return FastInnerProduct(query, reinterpret_cast<const float*>(code), d);
  }
  float symmetric_dis(idx_t i, idx_t j) override {
    return FastInnerProduct(base + static_cast<size_t>(i) * d, base + static_cast<size_t>(j) * d,
                            d);
  }

  size_t d;
  const float* base;
  const float* query = nullptr;
};

struct FastFlatIP final : faiss::IndexFlatIP {
  explicit FastFlatIP(idx_t dims) : faiss::IndexFlatIP(dims) {}
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override {
    return new FastComputer(*this);
  }
};

}  // namespace

void UseFastStorage(faiss::IndexHNSW& index) {
  auto* flat = dynamic_cast<faiss::IndexFlatIP*>(index.storage);
  if (flat == nullptr || dynamic_cast<FastFlatIP*>(flat) != nullptr) return;
  auto fast = std::make_unique<FastFlatIP>(flat->d);
  fast->codes = std::move(flat->codes);
  fast->ntotal = flat->ntotal;
  if (index.own_fields) delete flat;
  index.storage = fast.release();
  index.own_fields = true;
}

}  // namespace voxbase
