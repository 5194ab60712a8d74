// Embedders: text → unit-length float vectors, behind one seam with three implementations.
//
//  - local (the default): offline and deterministic, 768 dimensions. Feature hashing of stemmed
//    words (weight 1), word bigrams (0.5) and character trigrams of each word (0.25 each, spread
//    over the word's trigrams), with a sign hash, then L2-normalised. Stopwords are dropped: a
//    fixed stopword list stands in for IDF weights, because corpus IDF would make a document's
//    vector depend on when it was added. It is lexical: it matches shared words and word pieces,
//    not meaning ("refund" does not find "money back").
//  - openai: POST {OPENAI_BASE_URL}/v1/embeddings with a model and dimensions (768 by default).
//  - gemini: text-embedding-004 (768 dimensions) through :embedContent for one text and
//    :batchEmbedContents for several, at {GEMINI_BASE_URL}.
//
// The server picks a default (--embedder / VOXBASE_EMBEDDER); an app can name its own at
// creation. Each embedder has its own default gap threshold: the best similarity below which a
// search opens a knowledge gap. An upstream's refusal comes back as UpstreamError (502) carrying
// its status and message; a missing key as Unavailable (503). Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/outbound/http_client.h"
#include "ingest/providers.h"
#include "schemas/status.h"

namespace voxbase {

inline constexpr size_t kLocalEmbeddingDims = 768;

struct EmbedderConfig {
  std::string default_embedder = "local";
  std::string openai_model = "text-embedding-3-small";
  size_t openai_dimensions = 768;
  std::string gemini_model = "text-embedding-004";
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual std::string_view name() const = 0;
  virtual size_t dims() const = 0;
  // A search whose best similarity is below this opens a knowledge gap, unless the app sets its
  // own threshold.
  virtual float default_gap_threshold() const = 0;
  // One unit-length vector per text, in order.
  virtual Result<std::vector<std::vector<float>>> Embed(
      const std::vector<std::string>& texts) const = 0;
};

// The local embedding of one text (768 floats, unit length; all zero for a text without words).
std::vector<float> LocalEmbedding(std::string_view text);

// The three embedders, by name.
class Embedders {
 public:
  Embedders(EmbedderConfig config, const ProviderConfig& providers, HttpClient* http);
  ~Embedders();
  Embedders(const Embedders&) = delete;
  Embedders& operator=(const Embedders&) = delete;

  // `name` empty → the server's default. InvalidArgument for an unknown name.
  Result<const Embedder*> Get(std::string_view name) const;
  const std::string& default_name() const { return config_.default_embedder; }

 private:
  EmbedderConfig config_;
  std::vector<std::unique_ptr<Embedder>> embedders_;
};

// True for "local", "openai" and "gemini".
bool IsEmbedderName(std::string_view name);

}  // namespace voxbase
