// ApiContext: what the route groups share — the store to read, the way to append, the watermark
// to wait on, the clock and id source, the limits and the authenticator. Owned by Node; route
// handlers keep a reference. Everything in it is thread-safe.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <functional>
#include <string>

#include "api/auth.h"
#include "api/blocking_pool.h"
#include "api/guardrail_engines.h"
#include "api/http.h"
#include "api/rate_limiter.h"
#include "api/write_quota.h"
#include "ingest/command.h"
#include "ingest/embedder.h"
#include "ingest/json_schema.h"
#include "ingest/outbound/http_client.h"
#include "ingest/providers.h"
#include "ingest/submitter.h"
#include "processors/applied_watermark.h"
#include "projections/knowledge_index.h"
#include "schemas/clock.h"
#include "schemas/ids.h"
#include "storage/store.h"

namespace voxbase {

struct ApiContext {
  ProjectionStore* store = nullptr;
  Submitter* submitter = nullptr;
  AppliedWatermark* watermark = nullptr;
  const Clock* clock = nullptr;
  IdSource* ids = nullptr;
  const Authenticator* auth = nullptr;
  std::string token_key;                      // derives session tokens (ingest/sessions.h)
  BlockingPool* blocking = nullptr;           // for builds that call out
  HttpClient* http = nullptr;                 // the outbound client
  ProviderConfig providers;                   // keys and base URLs of OpenAI, Gemini, LiveKit
  RateLimiter* token_limiter = nullptr;       // per app, on every token endpoint
  WriteQuota* write_quota = nullptr;          // per app, on every appended write
  std::vector<std::string> client_origins;    // CLIENT_ORIGIN: browser origins allowed by CORS
  bool allow_private_tool_endpoints = false;  // lifts the outbound guard for tool endpoints
  SchemaCache* schemas = nullptr;             // compiled tool parameter schemas
  std::string node_id;                        // this node, on the executions it starts
  GuardrailEngines* guardrails = nullptr;     // compiled guardrail rules per app and direction
  const Embedders* embedders = nullptr;       // local, openai, gemini (ingest/embedder.h)
  KnowledgeIndex* knowledge = nullptr;        // what knowledge search answers from
  IngestLimits limits;
  std::chrono::milliseconds apply_timeout{5000};
};

// The page size from ?limit=, within [1, max]; `fallback` when absent.
Result<size_t> PageLimit(const HttpRequest& request, size_t fallback, size_t max);

}  // namespace voxbase
