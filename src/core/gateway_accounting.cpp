// The Gateway's public calls: each wraps the fetch (gateway.cpp) with the response cache
// and the one ledger row every call is accounted by.
#include <chrono>

#include "core/cache_key.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/ledger_entry.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/stream_replay.hpp"

namespace llmgw {

namespace {

// Milliseconds since the call began, on the injectable clock.
class Stopwatch {
 public:
  explicit Stopwatch(const Clock& clock) : m_clock(clock), m_started(clock.steady_now()) {}
  std::int64_t elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.steady_now() - m_started)
        .count();
  }

 private:
  const Clock& m_clock;
  std::chrono::steady_clock::time_point m_started;
};

int sent_attempts(const std::vector<AttemptRecord>& attempts) {
  return std::max(static_cast<int>(attempts.size()), 1);
}

// The deployment that served a cached answer: the chain's first one of the provider the
// answer names (so its cost can be priced as the fetch was), else the chain's first.
const Route& cached_route(const nlohmann::json& response, const std::vector<Route>& chain) {
  const std::string provider = adapter::string_field(response, "provider");
  for (const Route& route : chain) {
    if (route.provider.name == provider)
      return route;
  }
  return chain.front();
}

}  // namespace

RequestFacts Gateway::facts_for(const std::string& endpoint, const nlohmann::json& request,
                                const std::optional<std::string>& client_key) const {
  RequestFacts facts;
  facts.source = m_source;
  facts.client_key = client_key;
  facts.endpoint = endpoint;
  if (request.is_object()) {
    const auto model = request.find("model");
    if (model != request.end() && model->is_string())
      facts.model_requested = model->get<std::string>();
    if (endpoint == "chat")
      facts.request_hash = request_hash(request);
  }
  return facts;
}

void Gateway::record(const LedgerRow& row) const {
  if (m_ledger)
    m_ledger(row);
}

template <class Result, class Fetch, class RowOf>
Result Gateway::accounted(RequestFacts facts, Fetch&& fetch, RowOf&& row_of) {
  const Stopwatch watch(m_clock);
  facts.timing.started_ms = m_clock.unix_milliseconds();
  const auto failed = [&](const Error& error) {
    facts.timing.latency_ms = watch.elapsed_ms();
    record(failed_row(facts, error, m_prices));
  };
  try {
    Result result = fetch(watch, facts.timing);
    facts.timing.latency_ms = watch.elapsed_ms();
    result.accounting = row_of(facts, result);
    record(result.accounting);
    return result;
  } catch (const GatewayError& e) {
    failed(e.error());
    throw;
  } catch (const std::exception& e) {
    failed(make_error(ErrorKind::internal, e.what()));
    throw;
  }
}

ChatResult Gateway::serve_chat(const ChatCall& call, const ChunkSink* sink) {
  const RequestFacts facts = facts_for("chat", call.request, call.client_key);
  const auto fetch = [&](const Stopwatch& watch, RequestTiming& timing) {
    const std::vector<Route> chain = prepare(call);
    const bool cache_on = m_cache != nullptr && m_cache->settings().enabled;
    const std::string& key = *facts.request_hash;
    if (cache_on && cache_may_answer(call.cache_mode, call.request)) {
      if (auto hit = m_cache->lookup(key, m_clock.unix_milliseconds())) {
        ChatResult result;
        result.response = std::move(hit->response);
        result.route = cached_route(result.response, chain);
        result.cache_hit = true;
        if (sink != nullptr) {
          if (call.on_stream_start)
            call.on_stream_start(result.route, true);
          nlohmann::json replayed = result.response;
          replayed.erase("provider");  // as fetched chunks: provider is the answer's alone
          for (const nlohmann::json& chunk : replay_chunks(replayed)) {
            if (!timing.ttft_ms)
              timing.ttft_ms = watch.elapsed_ms();
            (*sink)(chunk);
          }
        }
        return result;
      }
    }
    ChatResult result;
    if (sink == nullptr) {
      result = fetch_chat(call, chain);
    } else {
      result = fetch_chat_stream(call, chain, [&](const nlohmann::json& chunk) {
        if (!timing.ttft_ms) {
          const auto choices = chunk.find("choices");
          if (choices != chunk.end() && choices->is_array() && !choices->empty())
            timing.ttft_ms = watch.elapsed_ms();
        }
        (*sink)(chunk);
      });
    }
    if (cache_on && cache_may_store(call.cache_mode, call.request)) {
      m_cache->store(key, facts.model_requested, result.response, sink != nullptr,
                     m_clock.unix_milliseconds());
    }
    return result;
  };
  return accounted<ChatResult>(facts, fetch, [&](const RequestFacts& done, const ChatResult& r) {
    const Answered answer{&r.route, &r.response, sent_attempts(r.attempts)};
    return r.cache_hit ? cache_hit_row(done, answer, m_prices) : chat_row(done, answer, m_prices);
  });
}

ChatResult Gateway::chat(const ChatCall& call) {
  return serve_chat(call, nullptr);
}

ChatResult Gateway::chat_stream(const ChatCall& call, const ChunkSink& sink) {
  return serve_chat(call, &sink);
}

EmbedResult Gateway::embed(const EmbedCall& call) {
  return accounted<EmbedResult>(
      facts_for("embeddings", call.request, call.client_key),
      [&](const Stopwatch&, RequestTiming&) { return fetch_embed(call); },
      [&](const RequestFacts& done, const EmbedResult& r) {
        return embed_row(done, Answered{&r.route, &r.response, sent_attempts(r.attempts)},
                         m_prices);
      });
}

ImageResult Gateway::image(const ImageCall& call) {
  return accounted<ImageResult>(
      facts_for("images", call.request, call.client_key),
      [&](const Stopwatch&, RequestTiming&) { return fetch_image(call); },
      [&](const RequestFacts& done, const ImageResult& r) {
        return image_row(done, Answered{&r.route, &r.response, sent_attempts(r.attempts)},
                         call.request, m_prices);
      });
}

}  // namespace llmgw
