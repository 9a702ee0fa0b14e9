#include "core/gateway.hpp"

#include "core/error.hpp"
#include "core/providers/chat_protocol.hpp"
#include "core/providers/embeddings.hpp"
#include "core/providers/images.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/providers/model_list.hpp"
#include "core/stream_accumulator.hpp"
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

}  // namespace

Route Gateway::prepare(const ChatCall& call) const {
  validate_chat_request(call.request);
  const auto model = call.request.find("model");
  if (model == call.request.end()) {
    Error e = make_error(ErrorKind::invalid_request, "model is required");
    e.param = "model";
    throw GatewayError(e);
  }
  Route route = resolve_model(model->get<std::string>(), m_config);
  if (route.provider.protocol == Protocol::mock)
    mock::require_operation(route.model, mock::Operation::chat);
  return route;
}

ChatPlan Gateway::plan(const ChatCall& call) const {
  ChatPlan plan{prepare(call), {}};
  if (const ChatProtocol* protocol = chat_protocol(plan.route.provider.protocol)) {
    plan.dropped = protocol->dropped_fields(call.request);
  }
  return plan;
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

ChatResult Gateway::chat(const ChatCall& call) {
  Route route = prepare(call);
  if (route.provider.protocol == Protocol::mock) {
    check_cancel(call.cancel);
    return {mock::respond(call.request, route.model, m_clock.unix_seconds()), route};
  }
  const ChatProtocol& protocol = protocol_for(route);
  const ResolvedKey key = m_credentials.require(route.provider, call.api_key);
  const HttpRequest http = with_provider_headers(
      protocol.build_request(call.request, route.model, endpoint_for(route, key), false),
      route.provider);
  const HttpResponse reply = m_transport.send(http, call.cancel);
  if (!is_success(reply.status))
    throw GatewayError(protocol.map_error(reply, route.provider.name));
  const ResponseContext context{route.provider.name, route.model, m_clock.unix_seconds()};
  return {protocol.parse_response(reply, context), route};
}

ChatResult Gateway::chat_stream(const ChatCall& call, const ChunkSink& sink) {
  Route route = prepare(call);
  StreamAccumulator accumulator;
  const auto emit = [&](const nlohmann::json& chunk) {
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
    return {accumulator.response(), route};
  }

  const ChatProtocol& protocol = protocol_for(route);
  const ResolvedKey key = m_credentials.require(route.provider, call.api_key);
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
  return {accumulator.response(), route};
}

EmbedResult Gateway::embed(const EmbedCall& call) {
  embeddings::validate(call.request);
  Route route = resolve_model(
      required_model(call.request, "openai/text-embedding-3-small or mock/embed"), m_config);
  const Protocol protocol = route.provider.protocol;
  if (protocol == Protocol::mock) {
    mock::require_operation(route.model, mock::Operation::embeddings);
    check_cancel(call.cancel);
    return {embeddings::mock_embeddings(call.request, "mock/" + route.model), route};
  }
  embeddings::require_support(protocol, route.provider.name);
  const ResolvedKey key = m_credentials.require(route.provider, call.api_key);
  const HttpRequest http = with_provider_headers(
      embeddings::build_request(protocol, call.request, route.model, endpoint_for(route, key)),
      route.provider);
  const HttpResponse reply = m_transport.send(http, call.cancel);
  return {
      embeddings::parse_response(protocol, reply, call.request, route.model, route.provider.name),
      route};
}

ImageResult Gateway::image(const ImageCall& call) {
  images::validate(call.request);
  Route route =
      resolve_model(required_model(call.request, "openai/gpt-image-1 or mock/image"), m_config);
  const Protocol protocol = route.provider.protocol;
  if (protocol == Protocol::mock) {
    mock::require_operation(route.model, mock::Operation::images);
    check_cancel(call.cancel);
    return {images::mock_images(call.request, m_clock.unix_seconds()), route};
  }
  images::require_support(protocol, route.provider.name);
  const ResolvedKey key = m_credentials.require(route.provider, call.api_key);
  const HttpRequest http = with_provider_headers(
      images::build_request(protocol, call.request, route.model, endpoint_for(route, key)),
      route.provider);
  const HttpResponse reply = m_transport.send(http, call.cancel);
  return {images::parse_response(protocol, reply, m_clock.unix_seconds(), route.provider.name),
          route};
}

}  // namespace llmgw
