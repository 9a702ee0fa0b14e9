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
#include "daemon/daemon.hpp"
#include "daemon/error_response.hpp"
#include "daemon/http_reply.hpp"
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

json cost_of(const LedgerRow& row) {
  return row.cost_usd ? json(*row.cost_usd) : json();
}

std::string cost_header(double usd) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9f", usd);
  return text;
}

// The headers every answered request carries (x-request-id is set for every request).
void set_answer_headers(httplib::Response& res, const Route& route, bool cache_hit,
                        const LedgerRow* row) {
  res.set_header("x-llmgw-provider", route.provider.name);
  res.set_header("x-llmgw-model", route.model);
  res.set_header("x-llmgw-cache", cache_hit ? "hit" : "miss");
  if (row != nullptr) {
    res.set_header("x-llmgw-attempts", std::to_string(row->attempts));
    if (row->cost_usd)
      res.set_header("x-llmgw-cost-usd", cost_header(*row->cost_usd));
  }
}

// The extra fields of a whole answer: what it cost, who served it, how long it took.
void add_answer_fields(json& body, const LedgerRow& row, const Route& route) {
  body["cost"] = cost_of(row);
  body["provider"] = route.provider.name;
  body["response_time_ms"] = row.latency_ms.value_or(0);
}

std::string sse_data(const json& value) {
  return "data: " + value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

// The pieces of a streamed answer after the first: how long to wait before writing a
// keep-alive comment, which also finds out that a client has gone.
constexpr std::chrono::milliseconds k_heartbeat{1000};

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
    // With a key, the chain is resolved here to reserve its most expensive deployment,
    // and the Gateway sends exactly there.
    auto chain = std::make_shared<std::vector<Route>>();
    ClientLimiter::Admission admission;
    if (key) {
      call.client_key = key->name;
      *chain = m_gateway.plan(call).chain;
      call.planned_chain = chain.get();
      admission = admit(key, call.request, max_chat_cost(*chain, call.request));
    }
    if (flag(call.request, "stream")) {
      record.entry.stream = true;
      const auto options = call.request.find("stream_options");
      const bool include_usage =
          options != call.request.end() && options->is_object() && flag(*options, "include_usage");
      stream_chat(std::move(call), std::move(chain), std::move(admission), include_usage, res);
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

void Daemon::stream_chat(ChatCall call, std::shared_ptr<std::vector<Route>> chain,
                         ClientLimiter::Admission admission, bool include_usage,
                         httplib::Response& res) {
  // What the producer learns before its first piece, read by this thread after
  // wait_started() (the relay's lock orders the two).
  struct Start {
    Route route;
    bool cached = false;
  };
  auto relay = std::make_shared<StreamRelay>();
  auto start = std::make_shared<Start>();
  auto in_flight = std::make_shared<InFlight>(*this, relay->cancel_token());
  call.cancel = &relay->cancel_token();
  call.on_stream_start = [start](const Route& route, bool cached) {
    start->route = route;
    start->cached = cached;
  };
  // The producer holds the relay by pointer: the relay joins it before it goes away.
  StreamRelay* const out = relay.get();
  // std::function wants a copyable callable: the move-only admission rides in a shared_ptr.
  auto admitted = std::make_shared<ClientLimiter::Admission>(std::move(admission));
  // The stream's record outlives this handler: its writer finishes it.
  auto stream_record = std::make_shared<RequestRecord>(current_record());
  relay->start([this, out, chain, admitted, stream_record, call = std::move(call),
                include_usage]() {
    // The usage chunk (choices: []) comes last; it is held until the call returns, so it
    // can carry the cost the ledger row priced, and sent only when the client asked.
    std::optional<json> usage;
    const ChatResult result = m_gateway.chat_stream(call, [&](const json& chunk) {
      const auto choices = chunk.find("choices");
      if (choices != chunk.end() && choices->is_array() && choices->empty()) {
        if (include_usage)
          usage = chunk;
        return;
      }
      out->push(sse_data(chunk));
    });
    stream_record->note_answer(result.accounting, result.attempts, result.route, result.cache_hit);
    if (*admitted)
      m_access.settle(std::move(*admitted), result.accounting);
    if (usage) {
      (*usage)["cost"] = cost_of(result.accounting);
      (*usage)["provider"] = result.route.provider.name;
      out->push(sse_data(*usage));
    }
  });
  if (const auto error = relay->wait_started()) {
    send_error(res, *error);
    return;
  }
  current_record().deferred = true;
  stream_record->entry.ttft_ms = std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - stream_record->started)
                                     .count();
  set_answer_headers(res, start->route, start->cached, nullptr);
  res.set_header("Connection", "keep-alive");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, relay, in_flight, stream_record](std::size_t, httplib::DataSink& sink) {
        std::optional<Error> error;
        while (auto piece = relay->next(k_heartbeat, error)) {
          const std::string& text = piece->empty() ? std::string(": keep-alive\n\n") : *piece;
          if (!sink.write(text.data(), text.size())) {
            relay->abandon();  // the client went away: cancel the upstream request
            return false;
          }
        }
        const std::string end =
            error ? sse_data(openai_error_response(*error).body) : std::string("data: [DONE]\n\n");
        sink.write(end.data(), end.size());
        sink.done();
        if (error)
          stream_record->entry.error_type = error->type;
        finish_record(*stream_record, 200, {});
        return true;
      },
      [this, relay, stream_record](bool success) {
        if (success)
          return;
        relay->abandon();
        stream_record->entry.error_type = "client_closed_request";
        finish_record(*stream_record, 499, {});  // nginx's status for a client gone
      });
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
