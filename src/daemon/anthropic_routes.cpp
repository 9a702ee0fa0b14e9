// Anthropic's Messages API: POST /v1/messages, whole and streamed, in Anthropic's shapes
// (core/frontends/anthropic_messages.hpp), served by whichever provider the model names.
#include <memory>

#include "core/frontends/anthropic_messages.hpp"
#include "daemon/answer.hpp"
#include "daemon/daemon.hpp"
#include "daemon/http_reply.hpp"
#include "daemon/stream_format.hpp"

namespace llmgw::daemon {

namespace {

using nlohmann::json;

void send_anthropic_error(httplib::Response& res, const Error& error) {
  const auto [status, body] = anthropic_front::error_response(error);
  set_retry_headers(res, error);
  send_json(res, status, body);
}

std::string wire(const std::vector<anthropic_front::SseEvent>& events) {
  std::string text;
  for (const auto& event : events)
    text += anthropic_front::wire_text(event);
  return text;
}

// Anthropic's events: message_start, content blocks, message_delta, message_stop; an
// error event after a failure mid-way.
class AnthropicStream final : public StreamFormat {
 public:
  explicit AnthropicStream(std::string model) : m_encoder(std::move(model)) {}

  std::string chunk(const json& chunk) override { return wire(m_encoder.add(chunk)); }
  std::string end(const ChatResult&) override { return wire(m_encoder.finish()); }
  std::string close(const std::optional<Error>& error) override {
    return error ? anthropic_front::wire_text(anthropic_front::error_event(*error)) : std::string();
  }
  void send_error(httplib::Response& res, const Error& error) override {
    send_anthropic_error(res, error);
  }

 private:
  anthropic_front::StreamEncoder m_encoder;  // fetching thread only
};

}  // namespace

void Daemon::messages(const httplib::Request& req, httplib::Response& res) {
  RequestRecord& record = current_record();
  record.entry.endpoint = "messages";
  try {
    const std::optional<ClientKey> key = m_access.identify(req);
    if (key)
      record.entry.client_key_name = key->name;
    const json incoming = parse_json_object(req.body);
    ChatCall call;
    call.request = anthropic_front::to_canonical(incoming);
    const std::string model = call.request.value("model", "");
    record.entry.model_requested = model;
    auto [chain, admission] = admit_chat(key, call);
    if (call.request.value("stream", false)) {
      record.entry.stream = true;
      stream_chat(std::move(call), std::move(chain), std::move(admission),
                  std::make_shared<AnthropicStream>(model), res);
      return;
    }
    CancelToken cancel;
    const InFlight in_flight(*this, cancel);
    call.cancel = &cancel;
    const ChatResult result = m_gateway.chat(call);
    record.note_answer(result.accounting, result.attempts, result.route, result.cache_hit);
    if (admission)
      m_access.settle(std::move(admission), result.accounting);
    set_answer_headers(res, result.route, result.cache_hit, &result.accounting);
    send_json(res, 200, anthropic_front::to_anthropic_response(result.response, model));
  } catch (const GatewayError& e) {
    send_anthropic_error(res, e.error());
  }
}

}  // namespace llmgw::daemon
