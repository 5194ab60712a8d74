// Vector search at 100k × 768: FAISS HNSW (what voxbase's knowledge index uses above its size
// threshold) against hnswlib on the same vectors, in the same run. Recall@10 is against exact
// inner-product search; QPS and latency are single-threaded; builds use every core (OpenMP for
// FAISS, one thread per core for hnswlib).
//
// The vectors are the local embedder (ingest/embedder.h) over generated FAQ-like text: documents
// draw from topics that favour their own words out of a Zipf-distributed vocabulary, so the
// vectors have the cluster structure real text gives them; queries are short texts drawn from the
// same topics. Recall on uniform noise would say little.
//
//   build/benchmarks/voxbase_vector_bench [--vectors 100000] [--queries 1000] [--m 32]
//                                         [--ef-construction 80]
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <hnswlib/hnswlib.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ingest/embedder.h"
#include "projections/fast_inner_product.h"

namespace {

using Clock = std::chrono::steady_clock;
using Label = faiss::Index::idx_t;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct TextSource {
  std::vector<std::string> words;
  std::vector<std::vector<int>> topic_words;  // each topic's favoured words
  std::mt19937 rng{2026};

  TextSource(int vocabulary, int topics) {
    const char* syllables[] = {"ka",  "lo", "mi", "ret", "ur",  "ship", "pa",  "der", "ven", "tor",
                               "sal", "bi", "no", "ex",  "cha", "fre",  "gum", "ho",  "lin", "qua"};
    std::uniform_int_distribution<int> syllable(0, 19), count(2, 4);
    std::set<std::string> seen;
    while (static_cast<int>(words.size()) < vocabulary) {
      std::string w;
      for (int i = count(rng); i > 0; --i) w += syllables[syllable(rng)];
      if (seen.insert(w).second) words.push_back(w);
    }
    std::uniform_int_distribution<int> any(0, vocabulary - 1);
    topic_words.resize(static_cast<size_t>(topics));
    for (auto& t : topic_words) {
      for (int i = 0; i < 40; ++i) t.push_back(any(rng));
    }
  }

  // Zipf over the vocabulary: rank r with weight 1/r.
  int Common() {
    static std::vector<double> cdf = [this] {
      std::vector<double> c(words.size());
      double sum = 0;
      for (size_t i = 0; i < c.size(); ++i) c[i] = sum += 1.0 / static_cast<double>(i + 1);
      for (double& x : c) x /= sum;
      return c;
    }();
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<int>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  }

  std::string Text(int topic, int length) {
    std::string text;
    const auto& favoured = topic_words[static_cast<size_t>(topic)];
    std::uniform_int_distribution<size_t> pick(0, favoured.size() - 1);
    std::bernoulli_distribution from_topic(0.6);
    for (int i = 0; i < length; ++i) {
      int w = from_topic(rng) ? favoured[pick(rng)] : Common();
      text += words[static_cast<size_t>(w)];
      text += i % 10 == 9 ? ". " : " ";
    }
    return text;
  }
};

struct Latency {
  double qps = 0, p50_ms = 0, p99_ms = 0, recall = 0;
};

template <typename SearchFn>
Latency Run(size_t nq, size_t k, const std::vector<std::vector<Label>>& truth, SearchFn search) {
  std::vector<double> ms;
  ms.reserve(nq);
  double hits = 0;
  auto all = Clock::now();
  for (size_t q = 0; q < nq; ++q) {
    auto t = Clock::now();
    std::vector<Label> got = search(q);
    ms.push_back(Seconds(t) * 1000);
    std::set<Label> want(truth[q].begin(), truth[q].end());
    for (Label l : got) hits += want.count(l);
  }
  double total = Seconds(all);
  std::sort(ms.begin(), ms.end());
  Latency r;
  r.qps = static_cast<double>(nq) / total;
  r.p50_ms = ms[nq / 2];
  r.p99_ms = ms[std::min(nq - 1, nq * 99 / 100)];
  r.recall = hits / static_cast<double>(nq * k);
  return r;
}

size_t Arg(int argc, char** argv, const char* name, size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return static_cast<size_t>(std::atol(argv[i + 1]));
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = Arg(argc, argv, "--vectors", 100000);
  const size_t nq = Arg(argc, argv, "--queries", 1000);
  const int m = static_cast<int>(Arg(argc, argv, "--m", 32));
  const int ef_construction = static_cast<int>(Arg(argc, argv, "--ef-construction", 80));
  const size_t d = voxbase::kLocalEmbeddingDims;
  const size_t k = 10;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  std::printf("vectors %zu x %zu, queries %zu, k %zu, M %d, efConstruction %d, %d cores\n", n, d,
              nq, k, m, ef_construction, cores);
  TextSource source(5000, 400);
  auto t = Clock::now();
  std::vector<float> data(n * d), queries(nq * d);
  std::uniform_int_distribution<int> topic(0, 399), length(25, 70), qlength(5, 12);
  for (size_t i = 0; i < n; ++i) {
    std::vector<float> v =
        voxbase::LocalEmbedding(source.Text(topic(source.rng), length(source.rng)));
    std::copy(v.begin(), v.end(), data.begin() + static_cast<std::ptrdiff_t>(i * d));
  }
  for (size_t i = 0; i < nq; ++i) {
    std::vector<float> v =
        voxbase::LocalEmbedding(source.Text(topic(source.rng), qlength(source.rng)));
    std::copy(v.begin(), v.end(), queries.begin() + static_cast<std::ptrdiff_t>(i * d));
  }
  std::printf("embedding (local embedder, one thread): %.1f s\n", Seconds(t));

  // Exact answers.
  t = Clock::now();
  faiss::IndexFlatIP flat(static_cast<int>(d));
  flat.add(static_cast<Label>(n), data.data());
  std::vector<float> distances(nq * k);
  std::vector<Label> labels(nq * k);
  flat.search(static_cast<Label>(nq), queries.data(), static_cast<Label>(k), distances.data(),
              labels.data());
  std::vector<std::vector<Label>> truth(nq);
  for (size_t q = 0; q < nq; ++q)
    truth[q].assign(labels.begin() + q * k, labels.begin() + (q + 1) * k);
  std::printf("exact search for the ground truth: %.1f s\n", Seconds(t));

  omp_set_num_threads(1);
  Latency exact = Run(std::min<size_t>(nq, 200), k, truth, [&](size_t q) {
    std::vector<float> dist(k);
    std::vector<Label> lab(k);
    flat.search(1, queries.data() + q * d, static_cast<Label>(k), dist.data(), lab.data());
    return lab;
  });
  std::printf("exact (IndexFlatIP), 1 thread: %.0f QPS, p50 %.2f ms, p99 %.2f ms\n", exact.qps,
              exact.p50_ms, exact.p99_ms);

  // FAISS HNSW as Debian ships it, then over voxbase's SIMD storage (what the knowledge index
  // runs).
  for (bool simd : {false, true}) {
    const char* name = simd ? "FAISS+SIMD" : "FAISS HNSW";
    omp_set_num_threads(cores);
    t = Clock::now();
    faiss::IndexHNSWFlat hnsw(static_cast<int>(d), m, faiss::METRIC_INNER_PRODUCT);
    hnsw.hnsw.efConstruction = ef_construction;
    if (simd) voxbase::UseFastStorage(hnsw);
    hnsw.add(static_cast<Label>(n), data.data());
    double build = Seconds(t);
    faiss::VectorIOWriter bytes;
    faiss::write_index(&hnsw, &bytes);
    std::printf("\n%s build: %.1f s (%d threads), %.0f bytes per vector serialised\n", name, build,
                cores, static_cast<double>(bytes.data.size()) / static_cast<double>(n));
    omp_set_num_threads(1);
    for (int ef : {32, 64, 96, 128, 200, 300}) {
      // FAISS 1.7.3 ignores SearchParametersHNSW::efSearch: the index's own field decides.
      hnsw.hnsw.efSearch = ef;
      Latency r = Run(nq, k, truth, [&](size_t q) {
        std::vector<float> dist(k);
        std::vector<Label> lab(k);
        hnsw.search(1, queries.data() + q * d, static_cast<Label>(k), dist.data(), lab.data());
        return lab;
      });
      std::printf("%s efSearch %3d: recall@10 %.3f, %6.0f QPS, p50 %.3f ms, p99 %.3f ms\n", name,
                  ef, r.recall, r.qps, r.p50_ms, r.p99_ms);
    }
  }

  // hnswlib, same vectors and parameters.
  hnswlib::InnerProductSpace space(d);
  t = Clock::now();
  hnswlib::HierarchicalNSW<float> lib(&space, n, static_cast<size_t>(m),
                                      static_cast<size_t>(ef_construction));
  lib.addPoint(data.data(), 0);
  std::vector<std::thread> builders;
  for (int c = 0; c < cores; ++c) {
    builders.emplace_back([&, c] {
      for (size_t i = 1 + static_cast<size_t>(c); i < n; i += static_cast<size_t>(cores)) {
        lib.addPoint(data.data() + i * d, i);
      }
    });
  }
  for (auto& b : builders) b.join();
  double lib_build = Seconds(t);
  std::printf("\nhnswlib build: %.1f s (%d threads), %.0f bytes per vector at level 0\n", lib_build,
              cores, static_cast<double>(lib.size_data_per_element_));
  for (int ef : {32, 64, 96, 128, 200, 300}) {
    lib.setEf(static_cast<size_t>(ef));
    Latency r = Run(nq, k, truth, [&](size_t q) {
      auto result = lib.searchKnn(queries.data() + q * d, k);
      std::vector<Label> lab;
      while (!result.empty()) {
        lab.push_back(static_cast<Label>(result.top().second));
        result.pop();
      }
      return lab;
    });
    std::printf("hnswlib    ef       %3d: recall@10 %.3f, %6.0f QPS, p50 %.3f ms, p99 %.3f ms\n",
                ef, r.recall, r.qps, r.p50_ms, r.p99_ms);
  }
  return 0;
}
