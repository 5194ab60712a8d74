// Inner products at the widest SIMD width the CPU has. Debian's FAISS is built for baseline
// x86-64 (SSE2), which leaves most of an AVX2 or AVX-512 core idle at 768 dimensions; this kernel
// is compiled for AVX-512, AVX2 and the baseline, and the loader picks one (target_clones).
// UseFastStorage() puts it under a FAISS HNSW graph: the graph, its search (selectors included) and
// its file format stay FAISS's, only the distance arithmetic is ours. Thread-safe.
#pragma once

#include <cstddef>

namespace faiss {
struct IndexHNSW;
}

namespace voxbase {

float FastInnerProduct(const float* a, const float* b, size_t d);

// Replaces a flat inner-product HNSW index's storage (IndexFlatIP) by one whose distance computer
// uses FastInnerProduct, keeping its vectors. Call before sharing the index between threads.
void UseFastStorage(faiss::IndexHNSW& index);

}  // namespace voxbase
