// OpenAI's endpoints: chat completions (whole and streamed), embeddings, images, models.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "core/cache_key.hpp"
#include "core/cost_estimate.hpp"
#include "core/error.hpp"
#include "core/model_catalog.hpp"
#include "core/model_chain.hpp"
#include "core/routing.hpp"
#include "daemon/answer.hpp"
#include "daemon/daemon.hpp"
#include "daemon/error_response.hpp"
#include "daemon/http_reply.hpp"
#include "daemon/stream_format.hpp"
#include "daemon/stream_relay.hpp"

namespace llmgw::daemon {

namespace {

using nlohmann::json;

// x-llmgw-cache: auto (default), force, bypass or refresh.
CacheMode cache_mode_of(const httplib::Request& req) {
  const std::string header = req.get_header_value("x-llmgw-cache");
  if (header.empty())
    return CacheMode::automatic;
  const auto mode = parse_cache_mode(header);
  if (!mode) {
    Error error =
        make_error(ErrorKind::invalid_request, "x-llmgw-cache '" + header + "' is not a cache mode",
                   "use auto, force, bypass or refresh");
    error.param = "x-llmgw-cache";
    throw GatewayError(error);
  }
  return *mode;
}

bool flag(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string sse_data(const json& value) {
  return "data: " + value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

}  // namespace

double Daemon::max_chat_cost(const std::vector<Route>& chain, const json& request) const {
  double most = 0;
  for (const Route& route : chain) {
    most = std::max(
        most, max_chat_cost_usd(m_prices, route.provider.name, route.model, request).value_or(0.0));
  }
  return most;
}

ClientLimiter::Admission Daemon::admit(const std::optional<ClientKey>& key, const json& request,
                                       double max_cost_usd) {
  if (!key)
    return {};
  const auto model = request.find("model");
  return m_access.admit(
      *key,
      model != request.end() && model->is_string() ? model->get<std::string>() : std::string(),
      max_cost_usd);
}

// The model as the client wrote it, for the log; "" when it is not a string.
static std::string requested_model(const json& request) {
  const auto model = request.find("model");
  return model != request.end() && model->is_string() ? model->get<std::string>() : std::string();
}

// OpenAI's chunks: each as data: JSON; the usage chunk (choices: []) held until the call
// returns, so it carries the cost the ledger row priced, and sent only when asked for;
// then data: [DONE], or data: {"error": ...} after a failure mid-way.
class OpenAiStream final : public StreamFormat {
 public:
  explicit OpenAiStream(bool include_usage) : m_include_usage(include_usage) {}

  std::string chunk(const json& chunk) override {
    const auto choices = chunk.find("choices");
    if (choices != chunk.end() && choices->is_array() && choices->empty()) {
      if (m_include_usage)
        m_usage = chunk;
      return {};
    }
    return sse_data(chunk);
  }
  std::string end(const ChatResult& result) override {
    if (!m_usage)
      return {};
    (*m_usage)["cost"] = cost_of(result.accounting);
    (*m_usage)["provider"] = result.route.provider.name;
    return sse_data(*m_usage);
  }
  std::string close(const std::optional<Error>& error) override {
    return error ? sse_data(openai_error_response(*error).body) : std::string("data: [DONE]\n\n");
  }
  void send_error(httplib::Response& res, const Error& error) override {
    daemon::send_error(res, error);
  }

 private:
  const bool m_include_usage;
  std::optional<json> m_usage;  // fetching thread only
};

Daemon::ChatAdmission Daemon::admit_chat(const std::optional<ClientKey>& key, ChatCall& call) {
  ChatAdmission admitted;
  admitted.chain = std::make_shared<std::vector<Route>>();
  if (!key)
    return admitted;
  // The chain is resolved here to reserve its most expensive deployment, and the Gateway
  // sends exactly there.
  call.client_key = key->name;
  *admitted.chain = m_gateway.plan(call).chain;
  call.planned_chain = admitted.chain.get();
  admitted.admission = admit(key, call.request, max_chat_cost(*admitted.chain, call.request));
  return admitted;
}

void Daemon::chat_completions(const httplib::Request& req, httplib::Response& res) {
  RequestRecord& record = current_record();
  record.entry.endpoint = "chat";
  try {
    const std::optional<ClientKey> key = m_access.identify(req);
    if (key)
      record.entry.client_key_name = key->name;
    ChatCall call;
    call.request = parse_json_object(req.body);
    record.entry.model_requested = requested_model(call.request);
    call.cache_mode = cache_mode_of(req);
    auto [chain, admission] = admit_chat(key, call);
    if (flag(call.request, "stream")) {
      record.entry.stream = true;
      const auto options = call.request.find("stream_options");
      const bool include_usage =
          options != call.request.end() && options->is_object() && flag(*options, "include_usage");
      stream_chat(std::move(call), std::move(chain), std::move(admission),
                  std::make_shared<OpenAiStream>(include_usage), res);
      return;
    }
    CancelToken cancel;
    const InFlight in_flight(*this, cancel);
    call.cancel = &cancel;
    ChatResult result = m_gateway.chat(call);
    record.note_answer(result.accounting, result.attempts, result.route, result.cache_hit);
    if (admission)
      m_access.settle(std::move(admission), result.accounting);
    json body = std::move(result.response);
    add_answer_fields(body, result.accounting, result.route);
    set_answer_headers(res, result.route, result.cache_hit, &result.accounting);
    send_json(res, 200, body);
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

template <class Call, class Fetch>
void Daemon::serve_whole(const char* endpoint, const httplib::Request& req, httplib::Response& res,
                         Fetch&& fetch) {
  RequestRecord& record = current_record();
  record.entry.endpoint = endpoint;
  try {
    const std::optional<ClientKey> key = m_access.identify(req);
    Call call;
    call.request = parse_json_object(req.body);
    record.entry.model_requested = requested_model(call.request);
    if (key) {
      call.client_key = key->name;
      record.entry.client_key_name = key->name;
    }
    // Embeddings and images reserve nothing: they are charged what they cost when they end.
    ClientLimiter::Admission admission = admit(key, call.request, 0.0);
    CancelToken cancel;
    const InFlight in_flight(*this, cancel);
    call.cancel = &cancel;
    auto result = fetch(call);
    record.note_answer(result.accounting, result.attempts, result.route, false);
    if (admission)
      m_access.settle(std::move(admission), result.accounting);
    json body = std::move(result.response);
    add_answer_fields(body, result.accounting, result.route);
    set_answer_headers(res, result.route, false, &result.accounting);
    send_json(res, 200, body);
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

void Daemon::embeddings(const httplib::Request& req, httplib::Response& res) {
  serve_whole<EmbedCall>("embeddings", req, res,
                         [this](const EmbedCall& call) { return m_gateway.embed(call); });
}

void Daemon::images(const httplib::Request& req, httplib::Response& res) {
  serve_whole<ImageCall>("images", req, res,
                         [this](const ImageCall& call) { return m_gateway.image(call); });
}

namespace {

json model_object(const std::string& id, const std::string& provider) {
  return {{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", provider}};
}

}  // namespace

void Daemon::list_models(const httplib::Request& req, httplib::Response& res) {
  current_record().entry.endpoint = "models";
  try {
    m_access.identify(req);
    json data = json::array();
    for (const std::string& provider : configured_providers(m_config, m_credentials)) {
      for (const KnownModel& model : known_models(m_config, provider))
        data.push_back(model_object(model.id, provider));
    }
    send_json(res, 200, {{"object", "list"}, {"data", std::move(data)}});
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

void Daemon::get_model(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches.size() > 1 ? req.matches[1].str() : std::string();
  current_record().entry.endpoint = "models";
  try {
    m_access.identify(req);
    // Any name a request could use: provider/model, a bare name with a known prefix, an
    // alias. The answer names the first deployment it resolves to.
    const std::vector<Route> chain = resolve_chain(id, m_config, m_health, [] { return 0.0; });
    send_json(res, 200, model_object(id, chain.front().provider.name));
  } catch (const GatewayError& e) {
    Error error = e.error();
    if (error.kind == ErrorKind::unknown_model || error.kind == ErrorKind::invalid_request) {
      error = make_error(ErrorKind::not_found, "The model '" + id + "' does not exist",
                         "GET /v1/models lists the models llmgw knows");
      error.param = "model";
      error.code = "model_not_found";
    }
    send_error(res, error);
  }
}

}  // namespace llmgw::daemon
