// The one orchestration path for every request, from the CLI or the daemon:
// validate → resolve route → key → adapter → transport → canonical answer.
// (Retries, breakers, cache and ledger join this path in later steps; see
// docs/ARCHITECTURE.md.)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/http/transport.hpp"
#include "core/routing.hpp"

namespace llmgw {

struct ChatCall {
  nlohmann::json request;              // canonical OpenAI request; "model" required
  std::optional<std::string> api_key;  // --key: overrides the keys file and env
  const CancelToken* cancel = nullptr;
};

struct ChatResult {
  nlohmann::json response;  // canonical chat.completion (a streamed answer, folded)
  Route route;
};

// Where a call would go and what would not reach the provider, for --verbose and logs.
struct ChatPlan {
  Route route;
  std::vector<std::string> dropped;  // request fields the provider's protocol leaves out
};

// Receives canonical chat.completion.chunk objects as they arrive, including the final
// usage chunk (choices: []) which a sink may drop.
using ChunkSink = std::function<void(const nlohmann::json& chunk)>;

class Gateway {
 public:
  Gateway(const Config& config, Transport& transport, const Credentials& credentials, Clock& clock)
      : m_config(config), m_transport(transport), m_credentials(credentials), m_clock(clock) {}

  // Validates and resolves the call without sending anything. Throws GatewayError.
  ChatPlan plan(const ChatCall& call) const;

  // The models `provider` says it serves (GET .../models or /api/tags), sorted.
  // Throws GatewayError (missing key, network, upstream).
  std::vector<std::string> remote_models(const std::string& provider,
                                         const std::optional<std::string>& api_key,
                                         const CancelToken* cancel);

  // Non-streaming chat. Throws GatewayError.
  ChatResult chat(const ChatCall& call);

  // Streaming chat: chunks go to `sink` as they arrive. A failure before the first chunk
  // is an ordinary error; after it, the error is thrown after the chunks already given
  // (kind stream_broken, upstream or cancelled), and the caller keeps what it showed.
  ChatResult chat_stream(const ChatCall& call, const ChunkSink& sink);

 private:
  Route prepare(const ChatCall& call) const;

  const Config& m_config;
  Transport& m_transport;
  const Credentials& m_credentials;
  Clock& m_clock;
};

}  // namespace llmgw
