#include "core/gateway.hpp"

#include "core/error.hpp"
#include "core/providers/chat_protocol.hpp"
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
  return Endpoint{route.provider.name, route.provider.base_url, key.key, route.provider.auth,
                  route.timeouts};
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

}  // namespace

Route Gateway::prepare(const ChatCall& call) const {
  validate_chat_request(call.request);
  const auto model = call.request.find("model");
  if (model == call.request.end()) {
    Error e = make_error(ErrorKind::invalid_request, "model is required");
    e.param = "model";
    throw GatewayError(e);
  }
  return resolve_model(model->get<std::string>(), m_config);
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
    return {"echo", "slow"};
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

}  // namespace llmgw
