#include "core/gateway.hpp"

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/providers/openai_adapter.hpp"
#include "core/stream_accumulator.hpp"
#include "core/validation.hpp"

namespace llmgw {

namespace {

bool is_success(int status) {
  return status >= 200 && status < 300;
}

[[noreturn]] void unsupported_protocol(const Route& route) {
  fail(ErrorKind::config,
       "provider '" + route.provider.name + "' speaks the " + to_string(route.provider.protocol) +
           " protocol, which this build of llmgw cannot talk to yet",
       "use an OpenAI-compatible provider (e.g. openai/..., openrouter/...) or mock/echo");
}

openai::Endpoint endpoint_for(const Route& route, const ResolvedKey& key) {
  openai::Endpoint endpoint;
  endpoint.provider = route.provider.name;
  endpoint.base_url = route.provider.base_url;
  endpoint.api_key = key.key;
  endpoint.auth = route.provider.auth;
  endpoint.timeouts = route.timeouts;
  return endpoint;
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

ChatResult Gateway::chat(const ChatCall& call) {
  Route route = prepare(call);
  switch (route.provider.protocol) {
    case Protocol::mock:
      check_cancel(call.cancel);
      return {mock::respond(call.request, route.model, m_clock.unix_seconds()), route};
    case Protocol::openai: {
      const ResolvedKey key = m_credentials.require(route.provider, call.api_key);
      const HttpRequest http =
          openai::build_chat_request(call.request, route.model, endpoint_for(route, key), false);
      const HttpResponse reply = m_transport.send(http, call.cancel);
      if (!is_success(reply.status))
        throw GatewayError(openai::map_error(reply, route.provider.name));
      return {openai::parse_chat_response(reply, route.provider.name), route};
    }
    default:
      unsupported_protocol(route);
  }
}

ChatResult Gateway::chat_stream(const ChatCall& call, const ChunkSink& sink) {
  Route route = prepare(call);
  StreamAccumulator accumulator;
  const auto emit = [&](const nlohmann::json& chunk) {
    accumulator.add(chunk);
    sink(chunk);
  };

  switch (route.provider.protocol) {
    case Protocol::mock: {
      const auto response = mock::respond(call.request, route.model, m_clock.unix_seconds());
      for (const auto& chunk : mock::stream_chunks(response)) {
        if (route.mock_delay_ms > 0) {
          m_clock.sleep_for(std::chrono::milliseconds(route.mock_delay_ms), call.cancel);
        }
        check_cancel(call.cancel);
        emit(chunk);
      }
      break;
    }
    case Protocol::openai: {
      const ResolvedKey key = m_credentials.require(route.provider, call.api_key);
      const HttpRequest http =
          openai::build_chat_request(call.request, route.model, endpoint_for(route, key), true);
      SseParser parser;
      openai::StreamDecoder decoder(route.provider.name);
      const auto on_event = [&](const SseEvent& event) {
        if (auto chunk = decoder.on_event(event))
          emit(*chunk);
      };
      const HttpResponse reply = m_transport.stream(
          http, [&](std::string_view bytes) { parser.feed(bytes, on_event); }, call.cancel);
      if (!is_success(reply.status))
        throw GatewayError(openai::map_error(reply, route.provider.name));
      parser.finish(on_event);
      // OpenAI ends with [DONE]; some compatible servers just close after the finish
      // chunk. Anything else is a stream cut off mid-answer.
      const auto folded = accumulator.response();
      const bool finished =
          !folded["choices"].empty() && !folded["choices"][0]["finish_reason"].is_null();
      if (!decoder.done() && !finished) {
        fail(ErrorKind::stream_broken,
             "the stream from " + route.provider.name + " ended before the answer was complete",
             "try again; if it keeps happening, try --no-stream");
      }
      break;
    }
    default:
      unsupported_protocol(route);
  }
  return {accumulator.response(), route};
}

}  // namespace llmgw
