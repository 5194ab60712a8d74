// The knowledge base below the API: chunking, the local embedder, the vector index and retrieval
// quality on the fixture corpus (tests/fixtures/knowledge_corpus.json: 200 FAQ documents in 20
// categories, and 100 questions in other words, each labelled with the document that answers it).
#include "ingest/knowledge.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>

#include "ingest/embedder.h"
#include "projections/knowledge_index.h"

namespace voxbase {
namespace {

IndexedDocument LocalDocument(std::string id, std::string title, std::string category,
                              const std::string& content) {
  IndexedDocument doc;
  doc.document_id = std::move(id);
  doc.title = std::move(title);
  doc.category = std::move(category);
  doc.embedder = "local";
  doc.dims = kLocalEmbeddingDims;
  for (const TextChunk& c : ChunkText(content)) {
    std::string chunk = content.substr(c.begin, c.end - c.begin);
    doc.vectors.push_back(LocalEmbedding(ChunkEmbeddingText(doc.title, chunk)));
    doc.chunks.push_back(std::move(chunk));
  }
  return doc;
}

KnowledgeResults Ask(const KnowledgeIndex& index, std::string_view app, const std::string& text,
                     size_t k, std::optional<std::string_view> category = std::nullopt,
                     Ranking ranking = Ranking::kHybrid) {
  std::vector<float> v = LocalEmbedding(text);
  KnowledgeQuery q;
  q.text = text;
  q.embedder = "local";
  q.vector = &v;
  q.top_k = k;
  q.category = category;
  q.ranking = ranking;
  return index.Search(app, q);
}

TEST(ChunkTextTest, ChunksCoverTheContentOverlapAndStayNearTheTarget) {
  std::string content;
  for (int i = 0; i < 200; ++i) content += "Sentence " + std::to_string(i) + " says a little. ";
  content += "\n\n" + std::string(3000, 'y');  // a run-on "sentence" with no space
  content += " and \xc3\xa9t\xc3\xa9 " + std::string(900, 'z');
  std::vector<TextChunk> chunks = ChunkText(content);
  ASSERT_GT(chunks.size(), 5u);
  EXPECT_EQ(chunks.front().begin, 0u);
  EXPECT_EQ(chunks.back().end, content.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].end - chunks[i].begin, 800u) << i;
    EXPECT_LT(chunks[i].begin, chunks[i].end);
    // Never inside a UTF-8 sequence.
    EXPECT_NE(static_cast<unsigned char>(content[chunks[i].begin]) & 0xc0, 0x80u) << i;
    if (i > 0) {
      EXPECT_LE(chunks[i].begin, chunks[i - 1].end) << "a gap before chunk " << i;
    }
  }
  // The sentence chunks overlap by a sentence.
  EXPECT_LT(chunks[1].begin, chunks[0].end);
  EXPECT_TRUE(ChunkText("").empty());
}

TEST(LocalEmbedderTest, DeterministicUnitLengthAndLexical) {
  std::vector<float> a = LocalEmbedding("How do I return a jacket?");
  ASSERT_EQ(a.size(), kLocalEmbeddingDims);
  EXPECT_EQ(a, LocalEmbedding("How do I return a jacket?"));
  double norm = 0;
  for (float x : a) norm += static_cast<double>(x) * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  auto cosine = [](const std::vector<float>& x, const std::vector<float>& y) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += static_cast<double>(x[i]) * y[i];
    return s;
  };
  double related = cosine(a, LocalEmbedding("returning jackets"));
  double unrelated = cosine(a, LocalEmbedding("the weather in Lisbon"));
  EXPECT_GT(related, 0.4);
  EXPECT_LT(unrelated, 0.2);
  // Stopwords alone carry nothing.
  std::vector<float> empty = LocalEmbedding("how do I the of");
  for (float x : empty) EXPECT_EQ(x, 0.0f);
}

struct Corpus {
  std::vector<IndexedDocument> documents;
  std::vector<std::pair<std::string, std::string>> questions;  // question, document id
};

Corpus LoadCorpus() {
  Corpus corpus;
  simdjson::dom::parser parser;
  simdjson::dom::element root =
      parser.load(std::string(VOXBASE_TESTS_DIR) + "/fixtures/knowledge_corpus.json");
  for (simdjson::dom::element d : root["documents"].get_array()) {
    corpus.documents.push_back(LocalDocument(std::string(d["documentId"].get_string().value()),
                                             std::string(d["title"].get_string().value()),
                                             std::string(d["category"].get_string().value()),
                                             std::string(d["content"].get_string().value())));
  }
  for (simdjson::dom::element q : root["questions"].get_array()) {
    corpus.questions.emplace_back(std::string(q["question"].get_string().value()),
                                  std::string(q["documentId"].get_string().value()));
  }
  return corpus;
}

struct Recall {
  double at1 = 0, at5 = 0;
};

Recall Measure(const KnowledgeIndex& index, const Corpus& corpus, Ranking ranking) {
  Recall r;
  for (const auto& [question, answer] : corpus.questions) {
    KnowledgeResults results = Ask(index, "app", question, 5, std::nullopt, ranking);
    for (size_t i = 0; i < results.hits.size(); ++i) {
      if (results.hits[i].document_id != answer) continue;
      r.at1 += i == 0;
      r.at5 += 1;
    }
  }
  r.at1 /= static_cast<double>(corpus.questions.size());
  r.at5 /= static_cast<double>(corpus.questions.size());
  return r;
}

// Figures reported in benchmarks/RESULTS.md; the floors sit a little under what was measured, so
// a change that makes retrieval worse fails here.
TEST(RetrievalTest, RecallOnTheFixtureCorpus) {
  Corpus corpus = LoadCorpus();
  ASSERT_EQ(corpus.documents.size(), 200u);
  ASSERT_EQ(corpus.questions.size(), 100u);
  KnowledgeIndex index;
  for (const IndexedDocument& d : corpus.documents) index.Upsert("app", d);
  Recall vector = Measure(index, corpus, Ranking::kVectorOnly);
  Recall text = Measure(index, corpus, Ranking::kTextOnly);
  Recall hybrid = Measure(index, corpus, Ranking::kHybrid);
  std::printf(
      "recall@1 / recall@5 on 100 questions over 200 documents:\n"
      "  local embedder alone: %.2f / %.2f\n  BM25 alone:           %.2f / %.2f\n"
      "  hybrid (RRF):         %.2f / %.2f\n",
      vector.at1, vector.at5, text.at1, text.at5, hybrid.at1, hybrid.at5);
  EXPECT_GE(vector.at1, 0.18);
  EXPECT_GE(vector.at5, 0.38);
  EXPECT_GE(hybrid.at1, 0.27);
  EXPECT_GE(hybrid.at5, 0.45);
  EXPECT_GE(hybrid.at5, vector.at5) << "fusing BM25 in should not lose what the vectors find";
}

// Synthetic FAQ-like documents: words drawn from a shared vocabulary, so vectors have structure.
std::string SyntheticText(std::mt19937& rng, int words) {
  static const std::vector<std::string> vocabulary = [] {
    std::vector<std::string> v;
    const char* roots[] = {"ship",  "return", "refund",  "order", "card", "account",
                           "price", "store",  "deliver", "bill",  "plan", "phone",
                           "room",  "book",   "ticket",  "seat",  "bag",  "flight",
                           "class", "member", "pay",     "fee",   "open", "close",
                           "hour",  "day",    "week",    "month", "year", "size"};
    const char* tails[] = {"", "er", "ing", "ment", "able", "s", "al", "ly"};
    for (const char* r : roots) {
      for (const char* t : tails) v.push_back(std::string(r) + t);
    }
    return v;
  }();
  std::uniform_int_distribution<size_t> pick(0, vocabulary.size() - 1);
  std::string text;
  for (int i = 0; i < words; ++i) text += vocabulary[pick(rng)] + (i % 9 == 8 ? ". " : " ");
  return text;
}

// Adds `n` synthetic documents "d0".."d<n-1>" of `words` words; `place(i)` names document i's app
// and category.
void AddSynthetic(KnowledgeIndex& index, int n, unsigned seed, int words,
                  const std::function<std::pair<std::string, std::string>(int)>& place) {
  std::mt19937 rng(seed);
  for (int i = 0; i < n; ++i) {
    auto [app, category] = place(i);
    index.Upsert(app, LocalDocument("d" + std::to_string(i), "Doc " + std::to_string(i), category,
                                    SyntheticText(rng, words)));
  }
}

KnowledgeIndexOptions InlineOptions(size_t hnsw_threshold) {
  KnowledgeIndexOptions options;
  options.hnsw_threshold = hnsw_threshold;
  options.background = false;
  return options;
}

TEST(KnowledgeIndexTest, CategoryFiltersGiveTopKFromTheCategoryByScanOrInsideTheGraph) {
  KnowledgeIndexOptions options = InlineOptions(1000);
  options.exact_filter_max = 50;  // "rare" is scanned exactly, "tenth" filtered inside the graph
  KnowledgeIndex index(options);
  AddSynthetic(index, 2000, 7, 30, [](int i) {
    return std::pair<std::string, std::string>(
        "app", i % 400 == 0 ? "rare" : (i % 10 == 1 ? "tenth" : "common"));
  });
  ASSERT_EQ(index.stats().graph_spaces, 1u) << "the space should be an HNSW graph by now";
  ASSERT_EQ(Ask(index, "app", "refund order delivering", 10).hits.size(), 10u);
  // 5 documents of 2000: a filter applied to a fixed top 10 would almost never find one.
  KnowledgeResults rare = Ask(index, "app", "refund order delivering", 5, "rare");
  ASSERT_EQ(rare.hits.size(), 5u);
  for (const KnowledgeHit& h : rare.hits) EXPECT_EQ(h.category, "rare");
  // 200 of 2000, through the graph search's selector.
  KnowledgeResults tenth = Ask(index, "app", "refund order delivering", 10, "tenth");
  ASSERT_EQ(tenth.hits.size(), 10u);
  for (const KnowledgeHit& h : tenth.hits) EXPECT_EQ(h.category, "tenth");
}

TEST(KnowledgeIndexTest, UpdatesAndDeletesThroughTombstonesAndCompaction) {
  KnowledgeIndex index(InlineOptions(500));
  AddSynthetic(index, 1200, 11, 30,
               [](int) { return std::pair<std::string, std::string>("app", "general"); });
  ASSERT_EQ(index.stats().graph_spaces, 1u);
  index.Upsert("app",
               LocalDocument("d5", "Penguins", "general",
                             "Emperor penguins huddle together through the Antarctic winter."));
  KnowledgeResults found = Ask(index, "app", "where do emperor penguins huddle", 1);
  ASSERT_EQ(found.hits.size(), 1u);
  EXPECT_EQ(found.hits[0].document_id, "d5");
  EXPECT_EQ(found.hits[0].title, "Penguins");
  EXPECT_GT(index.stats().dead_chunks, 0u) << "the old version is a tombstone in the graph";
  index.Remove("app", "d5");
  found = Ask(index, "app", "where do emperor penguins huddle", 50);
  ASSERT_EQ(found.hits.size(), 50u) << "1,199 documents are left to answer from";
  for (const KnowledgeHit& h : found.hits) EXPECT_NE(h.document_id, "d5");
  // Deleting a third of the documents compacts the index once tombstones are a quarter of its
  // chunks (inline here: background = false): 302 of 1202, after which 100 more deletes remain.
  for (int i = 0; i < 400; ++i) index.Remove("app", "d" + std::to_string(i + 600));
  KnowledgeIndex::Stats stats = index.stats();
  EXPECT_EQ(stats.dead_chunks, 101u);
  EXPECT_EQ(stats.documents, 1200u - 1 - 400);
  EXPECT_EQ(stats.graph_spaces, 1u);
  found = Ask(index, "app", "refund order", 50);
  ASSERT_EQ(found.hits.size(), 50u) << "799 documents are left to answer from";
  for (const KnowledgeHit& h : found.hits) {
    int n = std::stoi(h.document_id.substr(1));
    EXPECT_TRUE(n < 600 || n >= 1000) << h.document_id << " was deleted";
  }
}

TEST(KnowledgeIndexTest, AppsNeverSeeEachOthersDocuments) {
  KnowledgeIndex index;
  index.Upsert("app-a",
               LocalDocument("a1", "Secret recipe", "general", "Add cinnamon to the dough."));
  index.Upsert("app-b", LocalDocument("b1", "Opening hours", "general", "Open nine to five."));
  // The positive control: each app finds its own document with the same query.
  KnowledgeResults a = Ask(index, "app-a", "cinnamon dough recipe", 10);
  ASSERT_EQ(a.hits.size(), 1u);
  EXPECT_EQ(a.hits[0].document_id, "a1");
  KnowledgeResults b = Ask(index, "app-b", "cinnamon dough recipe", 10);
  ASSERT_EQ(b.hits.size(), 1u) << "app-b's only document is its nearest";
  EXPECT_EQ(b.hits[0].document_id, "b1");
  EXPECT_TRUE(Ask(index, "app-c", "cinnamon dough recipe", 10).hits.empty());
}

TEST(KnowledgeIndexTest, ASnapshotAnswersLikeTheIndexItWasTakenFromAndRefusesDamage) {
  const KnowledgeIndexOptions options = InlineOptions(300);
  KnowledgeIndex index(options);
  AddSynthetic(index, 800, 3, 40, [](int i) {
    return std::pair<std::string, std::string>(i % 2 ? "app-a" : "app-b",
                                               i % 10 ? "general" : "rare");
  });
  const std::string path =
      (std::filesystem::temp_directory_path() / ("voxbase-ki-" + std::to_string(::getpid())))
          .string();
  ASSERT_TRUE(index.SaveSnapshot(path, {42}).ok());
  KnowledgeIndex loaded(options);
  Result<std::vector<int64_t>> positions = loaded.LoadSnapshot(path);
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  EXPECT_EQ(*positions, std::vector<int64_t>{42});
  EXPECT_EQ(loaded.stats().graph_spaces, 2u) << "the graphs come back without a rebuild";
  for (const char* q : {"refund order", "flight seat booking", "monthly bill payment"}) {
    for (std::optional<std::string_view> category :
         {std::optional<std::string_view>(), std::optional<std::string_view>("rare")}) {
      KnowledgeResults a = Ask(index, "app-a", q, 10, category);
      KnowledgeResults b = Ask(loaded, "app-a", q, 10, category);
      ASSERT_EQ(a.hits.size(), b.hits.size());
      for (size_t i = 0; i < a.hits.size(); ++i) {
        EXPECT_EQ(a.hits[i].document_id, b.hits[i].document_id);
        EXPECT_EQ(a.hits[i].score, b.hits[i].score);
      }
    }
  }
  // One flipped byte, and the snapshot is refused rather than half-loaded.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    char c = 0;
    f.read(&c, 1);
    f.seekp(200);
    c = static_cast<char>(c ^ 0x40);
    f.write(&c, 1);
  }
  KnowledgeIndex damaged(options);
  Result<std::vector<int64_t>> refused = damaged.LoadSnapshot(path);
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  std::filesystem::remove(path);
  EXPECT_EQ(damaged.LoadSnapshot(path).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace voxbase
