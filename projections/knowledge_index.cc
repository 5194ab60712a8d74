#include "projections/knowledge_index.h"

#include <faiss/IndexHNSW.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "projections/fast_inner_product.h"
#include "projections/knowledge.h"
#include "projections/rows.h"
#include "projections/tables.h"
#include "schemas/ids.h"
#include "schemas/text.h"
#include "storage/durable_file.h"

namespace voxbase {
namespace {

constexpr double kBm25K1 = 1.2;
constexpr double kBm25B = 0.75;
constexpr double kRrfK = 60;
constexpr char kSnapshotMagic[] = "VXKI1\n";

using Label = faiss::Index::idx_t;

}  // namespace

// The parts of one app's index (a named namespace: AppIndex holds them).
namespace knowledge_index {

struct Chunk {
  uint32_t doc = 0;
  uint32_t chunk_no = 0;
  uint32_t length = 0;  // BM25 tokens
  bool dead = false;
  int32_t space = -1;
  int64_t vid = -1;
  std::string text;
};

struct Doc {
  std::string id, title, category;
  std::vector<uint32_t> cids;
  bool live = true;
};

struct Space {
  std::string embedder;
  size_t dims = 0;
  std::vector<float> data;
  std::vector<uint32_t> cid_of;  // vid → chunk
  size_t dead = 0;
  std::unique_ptr<faiss::IndexHNSWFlat> graph;  // covers every vid when present
  size_t live() const { return cid_of.size() - dead; }
};

struct Scored {
  uint32_t cid;
  float score;
};

// One app's index; every member is guarded by the AppIndex lock that holds it.
struct Contents {
  std::vector<Chunk> chunks;
  std::vector<Doc> docs;
  std::unordered_map<std::string, uint32_t> doc_by_id;
  std::unordered_map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> postings;
  std::vector<Space> spaces;
  double total_length = 0;
  size_t live_chunks = 0;
  size_t dead_chunks = 0;

  void Remove(std::string_view id) {
    auto it = doc_by_id.find(std::string(id));
    if (it == doc_by_id.end()) return;
    Doc& doc = docs[it->second];
    doc.live = false;
    for (uint32_t cid : doc.cids) {
      Chunk& c = chunks[cid];
      c.dead = true;
      c.text.clear();
      c.text.shrink_to_fit();
      total_length -= c.length;
      --live_chunks;
      ++dead_chunks;
      if (c.space >= 0) ++spaces[static_cast<size_t>(c.space)].dead;
    }
    doc_by_id.erase(it);
  }

  Space& SpaceFor(const std::string& embedder, size_t dims) {
    for (Space& s : spaces) {
      if (s.embedder == embedder && s.dims == dims) return s;
    }
    spaces.emplace_back();
    spaces.back().embedder = embedder;
    spaces.back().dims = dims;
    return spaces.back();
  }

  void Upsert(const IndexedDocument& in) {
    Remove(in.document_id);
    auto doc_index = static_cast<uint32_t>(docs.size());
    docs.push_back(Doc{in.document_id, in.title, in.category, {}, true});
    doc_by_id[in.document_id] = doc_index;
    int32_t space_index = -1;
    if (in.dims > 0 && !in.vectors.empty()) {
      Space& s = SpaceFor(in.embedder, in.dims);
      space_index = static_cast<int32_t>(&s - spaces.data());
    }
    for (size_t i = 0; i < in.chunks.size(); ++i) {
      auto cid = static_cast<uint32_t>(chunks.size());
      Chunk c;
      c.doc = doc_index;
      c.chunk_no = static_cast<uint32_t>(i);
      c.text = in.chunks[i];
      std::vector<std::string> tokens = SearchTokens(in.title + "\n" + in.chunks[i]);
      c.length = static_cast<uint32_t>(tokens.size());
      std::unordered_map<std::string, uint32_t> tf;
      for (std::string& t : tokens) ++tf[std::move(t)];
      for (auto& [term, n] : tf) postings[term].emplace_back(cid, n);
      if (space_index >= 0 && i < in.vectors.size() && in.vectors[i].size() == in.dims) {
        Space& s = spaces[static_cast<size_t>(space_index)];
        c.space = space_index;
        c.vid = static_cast<int64_t>(s.cid_of.size());
        s.data.insert(s.data.end(), in.vectors[i].begin(), in.vectors[i].end());
        s.cid_of.push_back(cid);
        if (s.graph) s.graph->add(1, in.vectors[i].data());
      }
      total_length += c.length;
      ++live_chunks;
      chunks.push_back(std::move(c));
      docs[doc_index].cids.push_back(cid);
    }
  }

  std::vector<IndexedDocument> LiveDocuments() const {
    std::vector<IndexedDocument> out;
    for (const Doc& d : docs) {
      if (!d.live) continue;
      IndexedDocument doc;
      doc.document_id = d.id;
      doc.title = d.title;
      doc.category = d.category;
      for (uint32_t cid : d.cids) {
        const Chunk& c = chunks[cid];
        doc.chunks.push_back(c.text);
        if (c.space >= 0) {
          const Space& s = spaces[static_cast<size_t>(c.space)];
          doc.embedder = s.embedder;
          doc.dims = s.dims;
          const float* v = s.data.data() + static_cast<size_t>(c.vid) * s.dims;
          doc.vectors.emplace_back(v, v + s.dims);
        }
      }
      if (doc.vectors.size() != doc.chunks.size()) {
        doc.vectors.clear();
        doc.dims = 0;
      }
      out.push_back(std::move(doc));
    }
    return out;
  }

  void BuildGraphs(const KnowledgeIndexOptions& o) {
    for (Space& s : spaces) {
      if (s.graph || s.live() < o.hnsw_threshold) continue;
      auto graph = std::make_unique<faiss::IndexHNSWFlat>(static_cast<int>(s.dims), o.hnsw_m,
                                                          faiss::METRIC_INNER_PRODUCT);
      graph->hnsw.efConstruction = o.hnsw_ef_construction;
      // FAISS 1.7.3 ignores SearchParametersHNSW::efSearch; the index's own field decides (and
      // it searches with at least k).
      graph->hnsw.efSearch = o.hnsw_ef_search;
      UseFastStorage(*graph);
      graph->add(static_cast<Label>(s.cid_of.size()), s.data.data());
      s.graph = std::move(graph);
    }
  }

  // The best n of `v`, best first. Ties go to the lower document id, then chunk: never to the
  // order chunks were added in, which differs between a snapshot and a rebuild.
  void TopInPlace(std::vector<Scored>& v, size_t n) const {
    auto better = [this](const Scored& a, const Scored& b) {
      if (a.score != b.score) return a.score > b.score;
      const Chunk& x = chunks[a.cid];
      const Chunk& y = chunks[b.cid];
      if (x.doc != y.doc) return docs[x.doc].id < docs[y.doc].id;
      return x.chunk_no < y.chunk_no;
    };
    if (v.size() > n) {
      std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(), better);
      v.resize(n);
    } else {
      std::sort(v.begin(), v.end(), better);
    }
  }

  bool InCategory(uint32_t cid, const std::optional<std::string_view>& category) const {
    return !category || docs[chunks[cid].doc].category == *category;
  }

  std::vector<Scored> VectorCandidates(const KnowledgeQuery& q, size_t n,
                                       const KnowledgeIndexOptions& o) const {
    std::vector<Scored> out;
    if (q.vector == nullptr) return out;
    const Space* space = nullptr;
    for (const Space& s : spaces) {
      if (s.embedder == q.embedder && s.dims == q.vector->size()) space = &s;
    }
    if (space == nullptr || space->live() == 0) return out;
    const float* query = q.vector->data();
    auto exact = [&](uint32_t cid) {
      const Chunk& c = chunks[cid];
      if (c.dead || c.space != static_cast<int32_t>(space - spaces.data())) return;
      float ip = FastInnerProduct(
          query, space->data.data() + static_cast<size_t>(c.vid) * space->dims, space->dims);
      out.push_back({cid, ip});
    };
    size_t in_category = 0;
    if (q.category) {
      for (const Doc& d : docs) {
        if (d.live && d.category == *q.category) in_category += d.cids.size();
      }
    }
    bool scan = !space->graph || (q.category && in_category <= o.exact_filter_max);
    if (scan) {
      if (q.category) {
        for (const Doc& d : docs) {
          if (!d.live || d.category != *q.category) continue;
          for (uint32_t cid : d.cids) exact(cid);
        }
      } else {
        for (uint32_t cid : space->cid_of) exact(cid);
      }
      TopInPlace(out, n);
      return out;
    }
    struct Admit : faiss::IDSelector {
      const Contents* c;
      const Space* s;
      std::optional<std::string_view> category;
      bool is_member(Label vid) const override {
        uint32_t cid = s->cid_of[static_cast<size_t>(vid)];
        return !c->chunks[cid].dead && c->InCategory(cid, category);
      }
    } admit;
    admit.c = this;
    admit.s = space;
    admit.category = q.category;
    faiss::SearchParametersHNSW params;
    params.sel = &admit;
    std::vector<float> distances(n);
    std::vector<Label> labels(n);
    space->graph->search(1, query, static_cast<Label>(n), distances.data(), labels.data(), &params);
    for (size_t i = 0; i < n; ++i) {
      if (labels[i] < 0) continue;
      out.push_back({space->cid_of[static_cast<size_t>(labels[i])], distances[i]});
    }
    TopInPlace(out, n);
    return out;
  }

  std::vector<Scored> TextCandidates(const KnowledgeQuery& q, size_t n) const {
    std::vector<Scored> out;
    if (live_chunks == 0) return out;
    std::vector<std::string> tokens = SearchTokens(q.text);
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    const double avg = total_length / static_cast<double>(live_chunks);
    // Dense accumulators: a common word's postings cover most chunks, and a hash map per hit
    // cost more than the scoring itself.
    std::vector<float> scores(chunks.size(), 0.0f);
    std::vector<uint32_t> touched;
    for (const std::string& t : tokens) {
      auto it = postings.find(t);
      if (it == postings.end()) continue;
      size_t df = 0;
      for (const auto& [cid, tf] : it->second) df += !chunks[cid].dead;
      if (df == 0) continue;
      double idf =
          std::log(1.0 + (static_cast<double>(live_chunks) - static_cast<double>(df) + 0.5) /
                             (static_cast<double>(df) + 0.5));
      for (const auto& [cid, tf] : it->second) {
        const Chunk& c = chunks[cid];
        if (c.dead || !InCategory(cid, q.category)) continue;
        double f = tf;
        if (scores[cid] == 0) touched.push_back(cid);
        scores[cid] += static_cast<float>(idf * f * (kBm25K1 + 1) /
                                          (f + kBm25K1 * (1 - kBm25B + kBm25B * c.length / avg)));
      }
    }
    out.reserve(touched.size());
    for (uint32_t cid : touched) out.push_back({cid, scores[cid]});
    TopInPlace(out, n);
    return out;
  }

  float Cosine(uint32_t cid, const KnowledgeQuery& q) const {
    const Chunk& c = chunks[cid];
    if (q.vector == nullptr || c.space < 0) return 0;
    const Space& s = spaces[static_cast<size_t>(c.space)];
    if (s.embedder != q.embedder || s.dims != q.vector->size()) return 0;
    return FastInnerProduct(q.vector->data(), s.data.data() + static_cast<size_t>(c.vid) * s.dims,
                            s.dims);
  }

  KnowledgeResults Search(const KnowledgeQuery& q, const KnowledgeIndexOptions& o) const {
    KnowledgeResults results;
    const size_t n = std::max<size_t>(q.top_k * 5, 50);
    std::vector<Scored> by_vector = VectorCandidates(q, n, o);
    // One arithmetic for every score, whichever path (scan or graph) found the chunk.
    for (Scored& c : by_vector) c.score = Cosine(c.cid, q);
    TopInPlace(by_vector, n);
    std::vector<Scored> by_text = TextCandidates(q, n);
    if (!by_vector.empty()) {
      results.best_score = by_vector.front().score;
      results.best_document_id = docs[chunks[by_vector.front().cid].doc].id;
    }
    if (q.ranking == Ranking::kVectorOnly) by_text.clear();
    if (q.ranking == Ranking::kTextOnly) by_vector.clear();
    struct Candidate {
      double fused = 0;
      float score = 0;
      float text_score = 0;
    };
    std::unordered_map<uint32_t, Candidate> candidates;
    for (size_t r = 0; r < by_vector.size(); ++r) {
      Candidate& c = candidates[by_vector[r].cid];
      c.fused += 1.0 / (kRrfK + static_cast<double>(r + 1));
      c.score = by_vector[r].score;
    }
    for (size_t r = 0; r < by_text.size(); ++r) {
      auto [it, added] = candidates.try_emplace(by_text[r].cid);
      it->second.fused += 1.0 / (kRrfK + static_cast<double>(r + 1));
      it->second.text_score = by_text[r].score;
      if (added) it->second.score = Cosine(by_text[r].cid, q);
    }
    // The best chunk of each document.
    std::unordered_map<uint32_t, std::pair<uint32_t, Candidate>> best;
    for (const auto& [cid, c] : candidates) {
      auto [it, added] = best.try_emplace(chunks[cid].doc, cid, c);
      const Candidate& held = it->second.second;
      if (!added && (c.fused > held.fused || (c.fused == held.fused && c.score > held.score) ||
                     (c.fused == held.fused && c.score == held.score &&
                      chunks[cid].chunk_no < chunks[it->second.first].chunk_no))) {
        it->second = {cid, c};
      }
    }
    std::vector<std::pair<uint32_t, Candidate>> ranked;
    for (const auto& [doc, entry] : best) {
      if (entry.second.score >= q.min_score) ranked.push_back(entry);
    }
    std::sort(ranked.begin(), ranked.end(), [this](const auto& a, const auto& b) {
      if (a.second.fused != b.second.fused) return a.second.fused > b.second.fused;
      if (a.second.score != b.second.score) return a.second.score > b.second.score;
      return docs[chunks[a.first].doc].id < docs[chunks[b.first].doc].id;
    });
    if (ranked.size() > q.top_k) ranked.resize(q.top_k);
    for (const auto& [cid, c] : ranked) {
      const Chunk& chunk = chunks[cid];
      const Doc& doc = docs[chunk.doc];
      results.hits.push_back(
          {doc.id, doc.title, doc.category, chunk.text, chunk.chunk_no, c.score, c.text_score});
    }
    return results;
  }
};

}  // namespace knowledge_index

using knowledge_index::Contents;
using knowledge_index::Space;

class KnowledgeIndex::AppIndex {
 public:
  mutable std::shared_mutex mu;
  Contents contents;
  bool rebuilding = false;
  std::vector<std::pair<bool, IndexedDocument>> journal;  // {removed, document} during a rebuild
};

KnowledgeIndex::KnowledgeIndex(KnowledgeIndexOptions options) : options_(options) {}

KnowledgeIndex::~KnowledgeIndex() { WaitForRebuilds(); }

std::shared_ptr<KnowledgeIndex::AppIndex> KnowledgeIndex::Find(std::string_view app_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(app_id);
  return it == apps_.end() ? nullptr : it->second;
}

std::shared_ptr<KnowledgeIndex::AppIndex> KnowledgeIndex::FindOrAdd(std::string_view app_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(app_id);
  if (it != apps_.end()) return it->second;
  auto app = std::make_shared<AppIndex>();
  apps_.emplace(std::string(app_id), app);
  return app;
}

void KnowledgeIndex::Upsert(std::string_view app_id, IndexedDocument doc) {
  std::shared_ptr<AppIndex> app = FindOrAdd(app_id);
  {
    std::unique_lock lock(app->mu);
    app->contents.Upsert(doc);
    if (app->rebuilding) app->journal.emplace_back(false, std::move(doc));
  }
  MaybeRebuild(app);
}

void KnowledgeIndex::Remove(std::string_view app_id, std::string_view document_id) {
  std::shared_ptr<AppIndex> app = Find(app_id);
  if (!app) return;
  {
    std::unique_lock lock(app->mu);
    app->contents.Remove(document_id);
    if (app->rebuilding) {
      IndexedDocument removed;
      removed.document_id = std::string(document_id);
      app->journal.emplace_back(true, std::move(removed));
    }
  }
  MaybeRebuild(app);
}

void KnowledgeIndex::MaybeRebuild(const std::shared_ptr<AppIndex>& app) {
  {
    std::unique_lock lock(app->mu);
    const Contents& c = app->contents;
    bool needs_graph = false;
    for (const Space& s : c.spaces) needs_graph |= !s.graph && s.live() >= options_.hnsw_threshold;
    bool needs_compaction = c.dead_chunks >= 256 && c.dead_chunks * 4 >= c.chunks.size();
    if (app->rebuilding || (!needs_graph && !needs_compaction)) return;
    app->rebuilding = true;
  }
  auto rebuild = [app, options = options_] {
    std::vector<IndexedDocument> docs;
    {
      std::shared_lock lock(app->mu);
      docs = app->contents.LiveDocuments();
    }
    Contents fresh;
    for (const IndexedDocument& d : docs) fresh.Upsert(d);
    fresh.BuildGraphs(options);
    std::unique_lock lock(app->mu);
    for (auto& [removed, doc] : app->journal) {
      if (removed) {
        fresh.Remove(doc.document_id);
      } else {
        fresh.Upsert(doc);
      }
    }
    app->journal.clear();
    app->contents = std::move(fresh);
    app->rebuilding = false;
  };
  if (!options_.background) return rebuild();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rebuilds_.begin(); it != rebuilds_.end();) {
    if (*it->done) {
      it->thread.join();
      it = rebuilds_.erase(it);
    } else {
      ++it;
    }
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  rebuilds_.push_back(Rebuild{std::thread([rebuild, done] {
                                rebuild();
                                *done = true;
                              }),
                              done});
}

void KnowledgeIndex::WaitForRebuilds() {
  std::vector<Rebuild> running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running.swap(rebuilds_);
  }
  for (Rebuild& r : running) r.thread.join();
}

KnowledgeResults KnowledgeIndex::Search(std::string_view app_id,
                                        const KnowledgeQuery& query) const {
  std::shared_ptr<AppIndex> app = Find(app_id);
  if (!app) return {};
  std::shared_lock lock(app->mu);
  return app->contents.Search(query, options_);
}

KnowledgeIndex::Stats KnowledgeIndex::stats() const {
  Stats stats;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, app] : apps_) {
    std::shared_lock app_lock(app->mu);
    ++stats.apps;
    stats.documents += app->contents.doc_by_id.size();
    stats.live_chunks += app->contents.live_chunks;
    stats.dead_chunks += app->contents.dead_chunks;
    for (const Space& s : app->contents.spaces) stats.graph_spaces += s.graph != nullptr;
  }
  return stats;
}

Status KnowledgeIndex::BuildFromProjection(const ProjectionStore& store) {
  WaitForRebuilds();
  {
    std::lock_guard<std::mutex> lock(mu_);
    apps_.clear();
  }
  std::unique_ptr<StoreIterator> it = store.NewIterator(Family(Table::kKnowledgeDocuments));
  simdjson::dom::parser parser;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    if (key.size() <= kAppIdLength) continue;
    Result<simdjson::dom::object> row =
        ParseStoredRow(parser, it->value(), kKnowledgeDocumentRowVersion);
    if (!row.ok()) return row.status();
    IndexedDocument doc;
    doc.document_id = std::string(key.substr(kAppIdLength));
    doc.title = StringField(*row, "title");
    doc.category = StringField(*row, "category");
    std::string content = StringField(*row, "content");
    std::string stored;
    Result<bool> found = store.Get(Family(Table::kKnowledgeChunks), key, &stored);
    if (!found.ok()) return found.status();
    if (!*found) return Corruption("document " + doc.document_id + " has no chunks row");
    Result<StoredChunks> chunks = DecodeChunks(stored);
    if (!chunks.ok()) return chunks.status();
    doc.embedder = chunks->embedder;
    doc.dims = chunks->dims;
    for (StoredChunk& c : chunks->chunks) {
      if (c.begin > c.end || c.end > content.size()) {
        return Corruption("document " + doc.document_id + " has a chunk outside its content");
      }
      doc.chunks.push_back(content.substr(c.begin, c.end - c.begin));
      doc.vectors.push_back(std::move(c.vector));
    }
    std::shared_ptr<AppIndex> app = FindOrAdd(key.substr(0, kAppIdLength));
    std::unique_lock lock(app->mu);
    app->contents.Upsert(doc);
  }
  VOX_RETURN_IF_ERROR(it->status());
  std::vector<std::shared_ptr<AppIndex>> apps;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, app] : apps_) apps.push_back(app);
  }
  for (auto& app : apps) MaybeRebuild(app);
  return Status::Ok();
}

namespace {

void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }
void PutString(std::string* out, std::string_view s) {
  PutU64(out, s.size());
  out->append(s);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t U64() {
    uint64_t v = 0;
    if (in.size() < 8) {
      ok = false;
      return 0;
    }
    std::memcpy(&v, in.data(), 8);
    in.remove_prefix(8);
    return v;
  }
  std::string_view Bytes(uint64_t n) {
    if (in.size() < n) {
      ok = false;
      return {};
    }
    std::string_view b = in.substr(0, n);
    in.remove_prefix(n);
    return b;
  }
  std::string String() { return std::string(Bytes(U64())); }
};

std::string Sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

}  // namespace

Status KnowledgeIndex::SaveSnapshot(const std::string& path,
                                    const std::vector<int64_t>& positions) {
  WaitForRebuilds();
  std::string body(kSnapshotMagic);
  PutU64(&body, positions.size());
  for (int64_t p : positions) PutU64(&body, static_cast<uint64_t>(p));
  std::lock_guard<std::mutex> lock(mu_);
  PutU64(&body, apps_.size());
  for (const auto& [app_id, app] : apps_) {
    std::shared_lock app_lock(app->mu);
    const Contents& c = app->contents;
    PutString(&body, app_id);
    std::vector<IndexedDocument> docs = c.LiveDocuments();
    PutU64(&body, docs.size());
    for (const IndexedDocument& d : docs) {
      PutString(&body, d.document_id);
      PutString(&body, d.title);
      PutString(&body, d.category);
      PutString(&body, d.embedder);
      PutU64(&body, d.dims);
      PutU64(&body, d.chunks.size());
      for (size_t i = 0; i < d.chunks.size(); ++i) {
        PutString(&body, d.chunks[i]);
        if (d.dims > 0) {
          body.append(reinterpret_cast<const char*>(d.vectors[i].data()), d.dims * sizeof(float));
        }
      }
    }
    // A graph is saved only when its ids are exactly the live vectors in document order, which
    // is how loading numbers them; otherwise loading builds it again.
    std::vector<const Space*> graphs;
    for (const Space& s : c.spaces) {
      if (s.graph && s.dead == 0) graphs.push_back(&s);
    }
    PutU64(&body, graphs.size());
    for (const Space* s : graphs) {
      faiss::VectorIOWriter writer;
      faiss::write_index(s->graph.get(), &writer);
      PutString(&body, s->embedder);
      PutU64(&body, s->dims);
      PutString(&body, std::string_view(reinterpret_cast<const char*>(writer.data.data()),
                                        writer.data.size()));
    }
  }
  body += Sha256(body);
  return WriteFileDurably(path, body);
}

Result<std::vector<int64_t>> KnowledgeIndex::LoadSnapshot(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no snapshot at " + path);
  std::string bytes;
  {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return IOError("cannot open " + path);
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  const size_t magic = sizeof(kSnapshotMagic) - 1;
  if (bytes.size() < magic + SHA256_DIGEST_LENGTH || bytes.compare(0, magic, kSnapshotMagic) != 0 ||
      Sha256(std::string_view(bytes).substr(0, bytes.size() - SHA256_DIGEST_LENGTH)) !=
          std::string_view(bytes).substr(bytes.size() - SHA256_DIGEST_LENGTH)) {
    return Corruption("the knowledge index snapshot " + path + " does not check out");
  }
  Reader r{std::string_view(bytes).substr(magic, bytes.size() - magic - SHA256_DIGEST_LENGTH)};
  std::vector<int64_t> positions(r.U64());
  for (int64_t& p : positions) p = static_cast<int64_t>(r.U64());
  std::map<std::string, std::shared_ptr<AppIndex>, std::less<>> apps;
  uint64_t app_count = r.U64();
  for (uint64_t a = 0; a < app_count && r.ok; ++a) {
    auto app = std::make_shared<AppIndex>();
    std::string app_id = r.String();
    uint64_t doc_count = r.U64();
    for (uint64_t i = 0; i < doc_count && r.ok; ++i) {
      IndexedDocument d;
      d.document_id = r.String();
      d.title = r.String();
      d.category = r.String();
      d.embedder = r.String();
      d.dims = r.U64();
      uint64_t chunk_count = r.U64();
      for (uint64_t k = 0; k < chunk_count && r.ok; ++k) {
        d.chunks.push_back(r.String());
        if (d.dims > 0) {
          std::string_view raw = r.Bytes(d.dims * sizeof(float));
          if (!r.ok) break;
          std::vector<float> v(d.dims);
          std::memcpy(v.data(), raw.data(), raw.size());
          d.vectors.push_back(std::move(v));
        }
      }
      app->contents.Upsert(d);
    }
    uint64_t graph_count = r.U64();
    for (uint64_t g = 0; g < graph_count && r.ok; ++g) {
      std::string embedder = r.String();
      uint64_t dims = r.U64();
      std::string raw = r.String();
      if (!r.ok) break;
      faiss::VectorIOReader reader;
      reader.data.assign(raw.begin(), raw.end());
      std::unique_ptr<faiss::Index> index(faiss::read_index(&reader));
      auto* graph = dynamic_cast<faiss::IndexHNSWFlat*>(index.get());
      Space* space = nullptr;
      for (Space& s : app->contents.spaces) {
        if (s.embedder == embedder && s.dims == dims) space = &s;
      }
      if (graph == nullptr || space == nullptr ||
          static_cast<size_t>(graph->ntotal) != space->cid_of.size()) {
        return Corruption("the knowledge index snapshot " + path +
                          " has a graph that does not fit");
      }
      index.release();
      graph->hnsw.efSearch = options_.hnsw_ef_search;
      UseFastStorage(*graph);
      space->graph.reset(graph);
    }
    apps.emplace(std::move(app_id), std::move(app));
  }
  if (!r.ok || !r.in.empty()) {
    return Corruption("the knowledge index snapshot " + path + " is cut short");
  }
  WaitForRebuilds();
  std::vector<std::shared_ptr<AppIndex>> loaded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    apps_ = std::move(apps);
    for (auto& [id, app] : apps_) loaded.push_back(app);
  }
  for (auto& app : loaded) MaybeRebuild(app);
  return positions;
}

}  // namespace voxbase
