// KnowledgeIndex: the vector and text index that POST /api/knowledge/search answers from, one per
// app, in memory. A projection like the others: the "vectors" processor feeds it saved and deleted
// documents from the log (processors/knowledge_processor.h), a snapshot on disk records the log
// position it covers, and without a usable snapshot it is rebuilt from the knowledgeDocuments
// projection.
//
// Per app: every chunk's text (title and chunk) in a BM25 inverted index, and its vector in a
// vector space per embedder (an app's documents can outlive a change of the server's default
// embedder; a query searches the space of the embedder that embedded it). A space is searched
// exactly — inner product over every live vector, which is cosine on these unit vectors — until
// it holds `hnsw_threshold` vectors; then a background rebuild gives it a FAISS HNSW graph, and
// later vectors are added to the graph as they come. HNSW cannot remove: a replaced or deleted
// document's chunks become tombstones that the search skips (an IDSelector inside the graph
// search), and a background rebuild compacts them away once they are a quarter of the app's
// chunks. Changes that land while a rebuild runs are journalled and replayed onto the rebuilt
// index before it is swapped in.
//
// A category filter runs inside the search, never by trimming a fixed k afterwards: when the
// category holds at most `exact_filter_max` chunks they are scanned exactly, otherwise the graph
// search takes a selector that admits only that category's live chunks.
//
// Ranking is hybrid: the vector ranking and the BM25 ranking of the candidates (each the best
// max(5·topK, 50)) are fused by reciprocal rank fusion, 1/(60 + rank) summed over both lists.
// A document appears once, with its best chunk. Its `score` is the cosine similarity of that chunk
// to the query; minScore and knowledge-gap detection use it, since a fused rank has no absolute
// meaning. Ties break on score, then document id, so equal indexes answer equally.
//
// Thread-safe: searches share a per-app lock, changes take it alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "schemas/status.h"
#include "storage/store.h"

namespace voxbase {

struct KnowledgeIndexOptions {
  size_t hnsw_threshold = 20000;  // vectors in a space before it gets an HNSW graph
  int hnsw_m = 32;
  int hnsw_ef_construction = 80;
  int hnsw_ef_search = 96;
  size_t exact_filter_max = 8192;  // a category this small is scanned exactly
  bool background = true;          // false: rebuilds run inline (deterministic tests)
};

struct IndexedDocument {
  std::string document_id;
  std::string title;
  std::string category;
  std::string embedder;
  size_t dims = 0;
  std::vector<std::string> chunks;          // chunk texts, without the title
  std::vector<std::vector<float>> vectors;  // one per chunk, unit length
};

// Hybrid is what the API uses; the single rankings are there to measure what fusion adds.
enum class Ranking { kHybrid, kVectorOnly, kTextOnly };

struct KnowledgeQuery {
  std::string_view text;
  std::string_view embedder;
  const std::vector<float>* vector = nullptr;
  size_t top_k = 5;
  std::optional<std::string_view> category;
  float min_score = -1;
  Ranking ranking = Ranking::kHybrid;
};

struct KnowledgeHit {
  std::string document_id;
  std::string title;
  std::string category;
  std::string chunk;
  size_t chunk_index = 0;
  float score = 0;       // cosine similarity of the chunk to the query
  float text_score = 0;  // its BM25 score (0 when no query word is in it)
};

struct KnowledgeResults {
  std::vector<KnowledgeHit> hits;
  float best_score = 0;  // the best cosine similarity found, before minScore
  std::string best_document_id;
};

class KnowledgeIndex {
 public:
  explicit KnowledgeIndex(KnowledgeIndexOptions options = {});
  ~KnowledgeIndex();
  KnowledgeIndex(const KnowledgeIndex&) = delete;
  KnowledgeIndex& operator=(const KnowledgeIndex&) = delete;

  // Adds the document, replacing any earlier version of it.
  void Upsert(std::string_view app_id, IndexedDocument doc);
  void Remove(std::string_view app_id, std::string_view document_id);
  KnowledgeResults Search(std::string_view app_id, const KnowledgeQuery& query) const;

  // Empties the index, then loads every document of the knowledgeDocuments projection.
  Status BuildFromProjection(const ProjectionStore& store);
  // Writes every app's index, with the log positions it covers, atomically (temp file, fsync,
  // rename). Waits for rebuilds in flight first.
  Status SaveSnapshot(const std::string& path, const std::vector<int64_t>& positions);
  // Replaces the index with a snapshot's; returns the positions it covers. NotFound when there is
  // no file; Corruption when it does not check out.
  Result<std::vector<int64_t>> LoadSnapshot(const std::string& path);

  struct Stats {
    size_t apps = 0;
    size_t documents = 0;
    size_t live_chunks = 0;
    size_t dead_chunks = 0;
    size_t graph_spaces = 0;  // spaces searched through an HNSW graph
  };
  Stats stats() const;
  void WaitForRebuilds();

  class AppIndex;

 private:
  std::shared_ptr<AppIndex> Find(std::string_view app_id) const;
  std::shared_ptr<AppIndex> FindOrAdd(std::string_view app_id);
  void MaybeRebuild(const std::shared_ptr<AppIndex>& app);

  const KnowledgeIndexOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<AppIndex>, std::less<>> apps_;
  struct Rebuild {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Rebuild> rebuilds_;  // finished ones are joined when the next one starts
};

}  // namespace voxbase
