// The one orchestration path for every request, from the CLI or the daemon:
// validate → resolve the chain of deployments (fallbacks, balanced aliases) → response
// cache → the attempt loop (keys, breakers, retries; resilience/attempt_loop.hpp) →
// adapter → transport → canonical answer → price → ledger row → cache store.
//
// Accounting: every chat, embed and image call gives exactly one ledger row to
// GatewayOptions::ledger, answered, failed, cancelled or served from the cache, and the
// same row is in the result (`accounting`), so callers show cost without pricing again.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/cache_key.hpp"
#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/http/transport.hpp"
#include "core/ledger_entry.hpp"
#include "core/resilience/attempt_loop.hpp"
#include "core/resilience/health.hpp"
#include "core/routing.hpp"
#include "core/store/ledger.hpp"
#include "core/store/response_cache.hpp"

namespace llmgw {

struct ChatCall {
  nlohmann::json request;              // canonical OpenAI request; "model" required
  std::optional<std::string> api_key;  // --key: overrides the keys file and env
  const CancelToken* cancel = nullptr;
  // The chain plan() returned for this call, to send exactly where it said (resolving
  // again would take the next turn of a round-robin or weighted alias). Null: resolve.
  const std::vector<Route>* planned_chain = nullptr;
  // Whether the response cache may answer and keep this call (cache_key.hpp).
  CacheMode cache_mode = CacheMode::automatic;
  std::optional<std::string> client_key;  // the daemon's client key name, for the ledger
  // Streams only: told once, just before the first chunk reaches the sink, which deployment
  // streams the answer (cached: replayed from the response cache), so that a server can
  // send headers naming it before any chunk.
  std::function<void(const Route& route, bool cached)> on_stream_start;
};

struct ChatResult {
  // Canonical chat.completion (a streamed answer, folded), with "provider": the provider
  // that served it ("model" is the model as served).
  nlohmann::json response;
  Route route;                          // the deployment that served it
  std::vector<AttemptRecord> attempts;  // every try and skip, the last one served (none: cache)
  bool cache_hit = false;               // answered from the response cache, nothing sent
  LedgerRow accounting;                 // the ledger row recorded for it (cost, timing…)
};

// Embeddings: OpenAI's /v1/embeddings semantics for every provider that has them.
struct EmbedCall {
  nlohmann::json request;              // canonical OpenAI embeddings request; "model" required
  std::optional<std::string> api_key;  // overrides the keys file and env
  const CancelToken* cancel = nullptr;
  std::optional<std::string> client_key;  // the daemon's client key name, for the ledger
};

struct EmbedResult {
  nlohmann::json response;  // OpenAI's embeddings list (see embeddings::parse_response)
  Route route;
  std::vector<AttemptRecord> attempts;
  LedgerRow accounting;
};

// Image generation: OpenAI's /v1/images/generations semantics.
struct ImageCall {
  nlohmann::json request;              // canonical OpenAI images request; "model" required
  std::optional<std::string> api_key;  // overrides the keys file and env
  const CancelToken* cancel = nullptr;
  std::optional<std::string> client_key;  // the daemon's client key name, for the ledger
};

struct ImageResult {
  nlohmann::json response;  // OpenAI's images response (see images::parse_response)
  Route route;              // route.model is the model that drew them
  std::vector<AttemptRecord> attempts;
  LedgerRow accounting;
};

// Where a call would go and what would not reach the provider, for --verbose and logs.
struct ChatPlan {
  Route route;                       // the first deployment to try
  std::vector<Route> chain;          // every deployment in the order they would be tried
  std::vector<std::string> dropped;  // request fields the provider's protocol leaves out
};

// Receives canonical chat.completion.chunk objects as they arrive, including the final
// usage chunk (choices: []) which a sink may drop. The chunk is only valid during the
// call (decoders reuse one object): copy it to keep it.
using ChunkSink = std::function<void(const nlohmann::json& chunk)>;

struct GatewayOptions {
  // Shared health (breakers, key pools, loads) of a long-lived process such as the daemon;
  // null: the Gateway keeps its own, with config.breaker's settings.
  HealthRegistry* health = nullptr;
  // Uniform draws from [0, 1) for backoff jitter and weighted balancing; empty: a
  // per-thread std::mt19937_64 seeded from std::random_device. Tests pass a seeded one.
  std::function<double()> random01;
  // Receives the one ledger row of every call (from the calling thread; it should only
  // queue, e.g. LedgerWriter::add). Empty: nothing is recorded.
  std::function<void(LedgerRow)> ledger;
  std::string source = "cli";  // the ledger's source: cli, repl or daemon
  // The response cache; null, or settings().enabled false: no cache.
  ResponseCache* cache = nullptr;
};

class Gateway {
 public:
  Gateway(const Config& config, Transport& transport, const Credentials& credentials, Clock& clock,
          GatewayOptions options = {});

  // Validates and resolves the call without sending anything. Throws GatewayError.
  ChatPlan plan(const ChatCall& call);

  // The models `provider` says it serves (GET .../models or /api/tags), sorted.
  // Throws GatewayError (missing key, network, upstream).
  std::vector<std::string> remote_models(const std::string& provider,
                                         const std::optional<std::string>& api_key,
                                         const CancelToken* cancel);

  // Non-streaming chat, through the attempt loop (retries, keys, breakers, fallbacks).
  // Throws GatewayError.
  // A cached answer (ChatCall::cache_mode) is returned without sending anything.
  ChatResult chat(const ChatCall& call);

  // Streaming chat: chunks go to `sink` as they arrive. A failure before the first chunk
  // goes through the attempt loop like chat(); after it, nothing is retried: the error is
  // thrown after the chunks already given (kind stream_broken, upstream or cancelled), and
  // the caller keeps what it showed. A cached answer is replayed to `sink` as a stream
  // (stream_replay.hpp), whether it was first fetched streamed or not.
  ChatResult chat_stream(const ChatCall& call, const ChunkSink& sink);

  // Embeddings from an openai-protocol provider, gemini (batchEmbedContents), ollama
  // (/api/embed) or mock/embed (no network), always in OpenAI's shape: "model" is the
  // model the upstream names (else the routed upstream model, "mock/embed" for the mock)
  // and "usage" is the provider's, left out when it reports none (gemini). Checks, in this
  // order and before anything is sent: the request (embeddings::validate), "model"
  // present, the route, that the provider has embeddings (anthropic has none; a mock model
  // other than embed is refused), the key. Throws GatewayError.
  EmbedResult embed(const EmbedCall& call);

  // Images from an openai-protocol provider (OpenAI, Azure OpenAI, compatible services)
  // or mock/image (no network), in OpenAI's shape. Checks like embed(): images::validate,
  // "model" present, the route, that the provider draws images (anthropic, gemini and
  // ollama do not here; a mock model other than image is refused), the key. "created"
  // comes from the upstream, else the Clock. Throws GatewayError.
  ImageResult image(const ImageCall& call);

 private:
  // Validates the request and resolves its chain of deployments.
  std::vector<Route> prepare(const ChatCall& call);
  // chat() and chat_stream() (sink null: not streamed): cache, fetch, account.
  ChatResult serve_chat(const ChatCall& call, const ChunkSink* sink);
  ChatResult fetch_chat(const ChatCall& call, const std::vector<Route>& chain);
  ChatResult fetch_chat_stream(const ChatCall& call, const std::vector<Route>& chain,
                               const ChunkSink& sink);
  EmbedResult fetch_embed(const EmbedCall& call);
  ImageResult fetch_image(const ImageCall& call);
  // Runs `fetch`, giving its one ledger row (made by `row_of` from the result, or from
  // the error it throws) to the ledger; rethrows.
  template <class Result, class Fetch, class RowOf>
  Result accounted(RequestFacts facts, Fetch&& fetch, RowOf&& row_of);
  RequestFacts facts_for(const std::string& endpoint, const nlohmann::json& request,
                         const std::optional<std::string>& client_key) const;
  void record(const LedgerRow& row) const;
  AttemptOutcome run_attempts(const std::vector<Route>& chain,
                              const std::optional<std::string>& api_key, const CancelToken* cancel,
                              const AttemptFn& attempt);

  const Config& m_config;
  Transport& m_transport;
  const Credentials& m_credentials;
  Clock& m_clock;
  std::unique_ptr<HealthRegistry> m_own_health;
  HealthRegistry& m_health;
  std::function<double()> m_random01;
  std::function<void(LedgerRow)> m_ledger;
  std::string m_source;
  ResponseCache* m_cache;
  PriceBook m_prices;  // built-in table with the config's overrides
};

}  // namespace llmgw
