#include "core/gateway.hpp"

#include <random>

#include "core/error.hpp"
#include "core/ledger_entry.hpp"
#include "core/model_chain.hpp"
#include "core/providers/chat_protocol.hpp"
#include "core/providers/embeddings.hpp"
#include "core/providers/images.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/providers/model_list.hpp"
#include "core/stream_accumulator.hpp"
#include "core/stream_replay.hpp"
#include "core/validation.hpp"

namespace llmgw {

namespace {

bool is_success(int status) {
  return status >= 200 && status < 300;
}

const ChatProtocol& protocol_for(const Route& route) {
  const ChatProtocol* protocol = chat_protocol(route.provider.protocol);
  if (protocol == nullptr) {
    fail(ErrorKind::config,
         "provider '" + route.provider.name + "' speaks the " + to_string(route.provider.protocol) +
             " protocol, which this build of llmgw cannot talk to yet",
         "use another provider, or mock/echo");
  }
  return *protocol;
}

Endpoint endpoint_for(const Route& route, const ResolvedKey& key) {
  return Endpoint{route.provider.name,       route.provider.base_url, key.key,
                  route.provider.auth,       route.timeouts,          route.provider.url_layout,
                  route.provider.api_version};
}

// The provider's fixed extra headers (registry), added after the adapter built the request.
HttpRequest with_provider_headers(HttpRequest request, const ProviderInfo& provider) {
  for (const auto& header : provider.extra_headers)
    request.headers.push_back(header);
  return request;
}

void check_cancel(const CancelToken* cancel) {
  if (cancel != nullptr && cancel->cancelled())
    fail(ErrorKind::cancelled, "request cancelled");
}

// The request's "model" (validation has checked its type); `example` goes in the fix.
std::string required_model(const nlohmann::json& request, const std::string& example) {
  const auto model = request.find("model");
  if (model == request.end() || model->is_null()) {
    Error e = make_error(ErrorKind::invalid_request, "model is required", "e.g. " + example);
    e.param = "model";
    throw GatewayError(e);
  }
  return model->get<std::string>();
}

// The chain for `model`, every deployment checked for `operation` before anything is
// sent: a mock model that does another operation, or a provider without embeddings or
// images, is refused at once.
std::vector<Route> resolve_for(const std::string& model, mock::Operation operation,
                               const Config& config, HealthRegistry& health,
                               const std::function<double()>& random01) {
  std::vector<Route> chain = resolve_chain(model, config, health, random01);
  for (const Route& route : chain) {
    const Protocol protocol = route.provider.protocol;
    if (protocol == Protocol::mock) {
      mock::require_operation(route.model, operation);
    } else if (operation == mock::Operation::embeddings) {
      embeddings::require_support(protocol, route.provider.name);
    } else if (operation == mock::Operation::images) {
      images::require_support(protocol, route.provider.name);
    }
  }
  return chain;
}

double system_random01() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

Gateway::Gateway(const Config& config, Transport& transport, const Credentials& credentials,
                 Clock& clock, GatewayOptions options)
    : m_config(config),
      m_transport(transport),
      m_credentials(credentials),
      m_clock(clock),
      m_own_health(options.health == nullptr
                       ? std::make_unique<HealthRegistry>(config.breaker.value)
                       : nullptr),
      m_health(options.health != nullptr ? *options.health : *m_own_health),
      m_random01(options.random01 ? std::move(options.random01) : system_random01),
      m_ledger(std::move(options.ledger)),
      m_source(std::move(options.source)),
      m_cache(options.cache),
      m_prices(price_book(config)) {}

std::vector<Route> Gateway::prepare(const ChatCall& call) {
  validate_chat_request(call.request);
  const auto model = call.request.find("model");
  if (model == call.request.end()) {
    Error e = make_error(ErrorKind::invalid_request, "model is required");
    e.param = "model";
    throw GatewayError(e);
  }
  if (call.planned_chain != nullptr && !call.planned_chain->empty())
    return *call.planned_chain;
  return resolve_for(model->get<std::string>(), mock::Operation::chat, m_config, m_health,
                     m_random01);
}

ChatPlan Gateway::plan(const ChatCall& call) {
  std::vector<Route> chain = prepare(call);
  ChatPlan plan{chain.front(), chain, {}};
  if (const ChatProtocol* protocol = chat_protocol(plan.route.provider.protocol)) {
    plan.dropped = protocol->dropped_fields(call.request);
  }
  return plan;
}

AttemptOutcome Gateway::run_attempts(const std::vector<Route>& chain,
                                     const std::optional<std::string>& api_key,
                                     const CancelToken* cancel, const AttemptFn& attempt) {
  AttemptLoop loop(m_clock, m_health, m_random01, cancel);
  return loop.run(
      chain, [&](const Route& route) { return m_credentials.require_all(route.provider, api_key); },
      attempt);
}

std::vector<std::string> Gateway::remote_models(const std::string& provider,
                                                const std::optional<std::string>& api_key,
                                                const CancelToken* cancel) {
  const ProviderInfo info = effective_provider(provider, m_config);
  if (info.protocol == Protocol::mock)
    return mock::known_models();
  Route route = resolve_model(provider + "/-", m_config);  // the provider's timeouts
  const ChatProtocol& protocol = protocol_for(route);
  const ResolvedKey key = m_credentials.require(info, api_key);
  const HttpResponse reply = m_transport.send(
      with_provider_headers(model_list::build_request(info.protocol, endpoint_for(route, key)),
                            info),
      cancel);
  if (!is_success(reply.status))
    throw GatewayError(protocol.map_error(reply, info.name));
  return model_list::parse_response(info.protocol, reply, info.name);
}

ChatResult Gateway::fetch_chat(const ChatCall& call, const std::vector<Route>& chain) {
  ChatResult result;
  AttemptOutcome outcome = run_attempts(
      chain, call.api_key, call.cancel,
      [&](const Route& route, const ResolvedKey& key, bool& /*committed*/) {
        if (route.provider.protocol == Protocol::mock) {
          check_cancel(call.cancel);
          result.response = mock::respond(call.request, route.model, m_clock.unix_seconds());
          return;
        }
        const ChatProtocol& protocol = protocol_for(route);
        const HttpRequest http = with_provider_headers(
            protocol.build_request(call.request, route.model, endpoint_for(route, key), false),
            route.provider);
        const HttpResponse reply = m_transport.send(http, call.cancel);
        if (!is_success(reply.status))
          throw GatewayError(protocol.map_error(reply, route.provider.name));
        const ResponseContext context{route.provider.name, route.model, m_clock.unix_seconds()};
        result.response = protocol.parse_response(reply, context);
      });
  result.route = chain[outcome.served_by];
  result.attempts = std::move(outcome.attempts);
  result.response["provider"] = result.route.provider.name;
  return result;
}

ChatResult Gateway::fetch_chat_stream(const ChatCall& call, const std::vector<Route>& chain,
                                      const ChunkSink& sink) {
  ChatResult result;
  AttemptOutcome outcome = run_attempts(
      chain, call.api_key, call.cancel,
      [&](const Route& route, const ResolvedKey& key, bool& committed) {
        StreamAccumulator accumulator;
        const auto emit = [&](const nlohmann::json& chunk) {
          if (!committed && call.on_stream_start)
            call.on_stream_start(route, false);
          committed = true;
          accumulator.add(chunk);
          sink(chunk);
        };
        if (route.provider.protocol == Protocol::mock) {
          const auto response = mock::respond(call.request, route.model, m_clock.unix_seconds());
          for (const auto& chunk : mock::stream_chunks(response)) {
            if (route.mock_delay_ms > 0) {
              m_clock.sleep_for(std::chrono::milliseconds(route.mock_delay_ms), call.cancel);
            }
            check_cancel(call.cancel);
            emit(chunk);
          }
          result.response = accumulator.response();
          return;
        }
        const ChatProtocol& protocol = protocol_for(route);
        const HttpRequest http = with_provider_headers(
            protocol.build_request(call.request, route.model, endpoint_for(route, key), true),
            route.provider);
        const auto decoder =
            protocol.make_decoder({route.provider.name, route.model, m_clock.unix_seconds()});
        const HttpResponse reply = m_transport.stream(
            http, [&](std::string_view bytes) { decoder->feed(bytes, emit); }, call.cancel);
        if (!is_success(reply.status))
          throw GatewayError(protocol.map_error(reply, route.provider.name));
        if (!decoder->finish(emit)) {
          fail(ErrorKind::stream_broken,
               "the stream from " + route.provider.name + " ended before the answer was complete",
               "try again; if it keeps happening, try --no-stream");
        }
        result.response = accumulator.response();
      });
  result.route = chain[outcome.served_by];
  result.attempts = std::move(outcome.attempts);
  result.response["provider"] = result.route.provider.name;
  return result;
}

EmbedResult Gateway::fetch_embed(const EmbedCall& call) {
  embeddings::validate(call.request);
  const std::vector<Route> chain =
      resolve_for(required_model(call.request, "openai/text-embedding-3-small or mock/embed"),
                  mock::Operation::embeddings, m_config, m_health, m_random01);
  EmbedResult result;
  AttemptOutcome outcome = run_attempts(
      chain, call.api_key, call.cancel,
      [&](const Route& route, const ResolvedKey& key, bool& /*committed*/) {
        const Protocol protocol = route.provider.protocol;
        if (protocol == Protocol::mock) {
          check_cancel(call.cancel);
          result.response = embeddings::mock_embeddings(call.request, "mock/" + route.model);
          return;
        }
        const HttpRequest http =
            with_provider_headers(embeddings::build_request(protocol, call.request, route.model,
                                                            endpoint_for(route, key)),
                                  route.provider);
        const HttpResponse reply = m_transport.send(http, call.cancel);
        result.response = embeddings::parse_response(protocol, reply, call.request, route.model,
                                                     route.provider.name);
      });
  result.route = chain[outcome.served_by];
  result.attempts = std::move(outcome.attempts);
  return result;
}

ImageResult Gateway::fetch_image(const ImageCall& call) {
  images::validate(call.request);
  const std::vector<Route> chain =
      resolve_for(required_model(call.request, "openai/gpt-image-1 or mock/image"),
                  mock::Operation::images, m_config, m_health, m_random01);
  ImageResult result;
  AttemptOutcome outcome = run_attempts(
      chain, call.api_key, call.cancel,
      [&](const Route& route, const ResolvedKey& key, bool& /*committed*/) {
        const Protocol protocol = route.provider.protocol;
        if (protocol == Protocol::mock) {
          check_cancel(call.cancel);
          result.response = images::mock_images(call.request, m_clock.unix_seconds());
          return;
        }
        const HttpRequest http = with_provider_headers(
            images::build_request(protocol, call.request, route.model, endpoint_for(route, key)),
            route.provider);
        const HttpResponse reply = m_transport.send(http, call.cancel);
        result.response =
            images::parse_response(protocol, reply, m_clock.unix_seconds(), route.provider.name);
      });
  result.route = chain[outcome.served_by];
  result.attempts = std::move(outcome.attempts);
  return result;
}

}  // namespace llmgw
