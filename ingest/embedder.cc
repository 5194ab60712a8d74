#include "ingest/embedder.h"

#include <simdjson.h>

#include <cmath>
#include <cstdint>

#include "ingest/upstream_text.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace voxbase {
namespace {

constexpr size_t kOpenAiBatch = 256;  // inputs per request (the API takes up to 2048)
constexpr size_t kGeminiBatch = 100;  // batchEmbedContents takes at most 100 requests

uint64_t Fnv1a(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  // A final mix: FNV's low bits are weak for short inputs.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

void AddFeature(std::vector<float>& v, std::string_view feature, uint64_t seed, float weight) {
  uint64_t h = Fnv1a(feature, seed);
  size_t slot = static_cast<size_t>(h % v.size());
  v[slot] += (h >> 63) ? weight : -weight;
}

void Normalize(std::vector<float>& v) {
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  if (norm <= 0) return;
  auto inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& x : v) x *= inv;
}

class LocalEmbedder final : public Embedder {
 public:
  std::string_view name() const override { return "local"; }
  size_t dims() const override { return kLocalEmbeddingDims; }
  float default_gap_threshold() const override { return 0.30f; }
  Result<std::vector<std::vector<float>>> Embed(
      const std::vector<std::string>& texts) const override {
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    for (const std::string& t : texts) out.push_back(LocalEmbedding(t));
    return out;
  }
};

Status Refused(std::string_view provider, const OutboundResponse& response) {
  return UpstreamError(std::string(provider) + " embeddings failed (HTTP " +
                       std::to_string(response.status) + "): " + UpstreamText(response.body));
}

Result<std::vector<float>> ReadVector(simdjson::dom::element values, size_t dims,
                                      std::string_view provider) {
  simdjson::dom::array array;
  if (values.get(array)) return UpstreamError(std::string(provider) + ": no embedding values");
  std::vector<float> v;
  v.reserve(dims);
  for (simdjson::dom::element x : array) {
    double d = 0;
    if (x.get(d)) return UpstreamError(std::string(provider) + ": a non-numeric embedding value");
    v.push_back(static_cast<float>(d));
  }
  if (v.size() != dims) {
    return UpstreamError(std::string(provider) + " answered " + std::to_string(v.size()) +
                         " dimensions, not " + std::to_string(dims));
  }
  Normalize(v);
  return v;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

OutboundRequest Post(std::string url, std::string body, const ProviderConfig& providers) {
  OutboundRequest r = ProviderJsonPost(std::move(url), std::move(body), providers);
  r.max_response_bytes = 64u << 20;  // a batch of vectors
  r.retry_safe = true;               // embedding is idempotent
  return r;
}

class OpenAiEmbedder final : public Embedder {
 public:
  OpenAiEmbedder(const EmbedderConfig& config, const ProviderConfig& providers, HttpClient* http)
      : model_(config.openai_model),
        dims_(config.openai_dimensions),
        providers_(providers),
        http_(http) {}
  std::string_view name() const override { return "openai"; }
  size_t dims() const override { return dims_; }
  float default_gap_threshold() const override { return 0.35f; }

  Result<std::vector<std::vector<float>>> Embed(
      const std::vector<std::string>& texts) const override {
    if (providers_.openai_api_key.empty()) return NotConfigured("OPENAI_API_KEY");
    std::vector<std::vector<float>> out;
    for (size_t from = 0; from < texts.size(); from += kOpenAiBatch) {
      size_t to = std::min(texts.size(), from + kOpenAiBatch);
      JsonWriter w;
      w.BeginObject().Field("model", model_).Key("input").BeginArray();
      for (size_t i = from; i < to; ++i) w.String(texts[i]);
      w.EndArray()
          .Field("dimensions", static_cast<int64_t>(dims_))
          .Field("encoding_format", "float")
          .EndObject();
      OutboundRequest request =
          Post(TrimSlash(providers_.openai_base_url) + "/v1/embeddings", w.str(), providers_);
      request.headers.emplace_back("Authorization", "Bearer " + providers_.openai_api_key);
      Result<OutboundResponse> response = http_->Send(request);
      if (!response.ok()) {
        return Status(response.status().code(),
                      "openai embeddings: " + response.status().message());
      }
      if (response->status < 200 || response->status >= 300) return Refused("openai", *response);
      simdjson::dom::parser parser;
      simdjson::dom::array data;
      if (parser.parse(response->body)["data"].get(data)) {
        return UpstreamError("openai embeddings: an answer without data");
      }
      std::vector<std::vector<float>> batch(to - from);
      for (simdjson::dom::element item : data) {
        int64_t index = -1;
        if (item["index"].get(index) || index < 0 || static_cast<size_t>(index) >= batch.size()) {
          return UpstreamError("openai embeddings: an item with a bad index");
        }
        Result<std::vector<float>> v = ReadVector(item["embedding"], dims_, "openai");
        if (!v.ok()) return v.status();
        batch[static_cast<size_t>(index)] = std::move(*v);
      }
      for (auto& v : batch) {
        if (v.empty()) return UpstreamError("openai embeddings: an input came back without one");
        out.push_back(std::move(v));
      }
    }
    return out;
  }

 private:
  std::string model_;
  size_t dims_;
  const ProviderConfig& providers_;
  HttpClient* http_;
};

class GeminiEmbedder final : public Embedder {
 public:
  GeminiEmbedder(const EmbedderConfig& config, const ProviderConfig& providers, HttpClient* http)
      : model_(config.gemini_model), providers_(providers), http_(http) {}
  std::string_view name() const override { return "gemini"; }
  size_t dims() const override { return 768; }
  float default_gap_threshold() const override { return 0.55f; }

  Result<std::vector<std::vector<float>>> Embed(
      const std::vector<std::string>& texts) const override {
    if (providers_.gemini_api_key.empty()) return NotConfigured("GEMINI_API_KEY");
    const std::string base = TrimSlash(providers_.gemini_base_url) + "/v1beta/models/" + model_;
    std::vector<std::vector<float>> out;
    for (size_t from = 0; from < texts.size(); from += kGeminiBatch) {
      size_t to = std::min(texts.size(), from + kGeminiBatch);
      bool single = texts.size() == 1;
      JsonWriter w;
      if (single) {
        WriteRequest(w, texts[from]);
      } else {
        w.BeginObject().Key("requests").BeginArray();
        for (size_t i = from; i < to; ++i) WriteRequest(w, texts[i]);
        w.EndArray().EndObject();
      }
      OutboundRequest request =
          Post(base + (single ? ":embedContent" : ":batchEmbedContents"), w.str(), providers_);
      request.headers.emplace_back("x-goog-api-key", providers_.gemini_api_key);
      Result<OutboundResponse> response = http_->Send(request);
      if (!response.ok()) {
        return Status(response.status().code(),
                      "gemini embeddings: " + response.status().message());
      }
      if (response->status < 200 || response->status >= 300) return Refused("gemini", *response);
      simdjson::dom::parser parser;
      simdjson::dom::element root;
      if (parser.parse(response->body).get(root)) {
        return UpstreamError("gemini embeddings: an answer that is not JSON");
      }
      if (single) {
        Result<std::vector<float>> v = ReadVector(root["embedding"]["values"], dims(), "gemini");
        if (!v.ok()) return v.status();
        out.push_back(std::move(*v));
        continue;
      }
      simdjson::dom::array embeddings;
      if (root["embeddings"].get(embeddings) || embeddings.size() != to - from) {
        return UpstreamError("gemini embeddings: not one embedding per text");
      }
      for (simdjson::dom::element e : embeddings) {
        Result<std::vector<float>> v = ReadVector(e["values"], dims(), "gemini");
        if (!v.ok()) return v.status();
        out.push_back(std::move(*v));
      }
    }
    return out;
  }

 private:
  void WriteRequest(JsonWriter& w, std::string_view text) const {
    w.BeginObject()
        .Field("model", "models/" + model_)
        .Key("content")
        .BeginObject()
        .Key("parts")
        .BeginArray()
        .BeginObject()
        .Field("text", text)
        .EndObject()
        .EndArray()
        .EndObject()
        .EndObject();
  }

  std::string model_;
  const ProviderConfig& providers_;
  HttpClient* http_;
};

}  // namespace

std::vector<float> LocalEmbedding(std::string_view text) {
  std::vector<float> v(kLocalEmbeddingDims, 0.0f);
  std::vector<std::string> words = Words(text);
  std::string previous;
  for (const std::string& word : words) {
    if (IsStopword(word)) continue;
    std::string stem = Stem(word);
    AddFeature(v, stem, 1, 1.0f);
    if (!previous.empty()) AddFeature(v, previous + " " + stem, 2, 0.5f);
    previous = stem;
    std::string marked = "^" + word + "$";
    size_t trigrams = marked.size() - 2;
    float each = 0.25f * 3.0f / static_cast<float>(trigrams + 2);
    for (size_t i = 0; i + 3 <= marked.size(); ++i) {
      AddFeature(v, std::string_view(marked).substr(i, 3), 3, each);
    }
  }
  Normalize(v);
  return v;
}

bool IsEmbedderName(std::string_view name) {
  return name == "local" || name == "openai" || name == "gemini";
}

Embedders::Embedders(EmbedderConfig config, const ProviderConfig& providers, HttpClient* http)
    : config_(std::move(config)) {
  embedders_.push_back(std::make_unique<LocalEmbedder>());
  embedders_.push_back(std::make_unique<OpenAiEmbedder>(config_, providers, http));
  embedders_.push_back(std::make_unique<GeminiEmbedder>(config_, providers, http));
}

Embedders::~Embedders() = default;

Result<const Embedder*> Embedders::Get(std::string_view name) const {
  if (name.empty()) name = config_.default_embedder;
  for (const auto& e : embedders_) {
    if (e->name() == name) return e.get();
  }
  return InvalidArgument("embedder must be local, openai or gemini");
}

}  // namespace voxbase
