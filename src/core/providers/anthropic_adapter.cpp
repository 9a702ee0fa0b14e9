#include "core/providers/anthropic_adapter.hpp"

#include <string_view>

#include "core/excerpt.hpp"
#include "core/providers/anthropic_internal.hpp"
#include "core/providers/openai_adapter.hpp"
#include "core/providers/upstream_error.hpp"

namespace llmgw::anthropic {

using namespace detail;

// ---------------------------------------------------------------- responses and errors

namespace {

struct ProviderError {
  std::string type;
  std::string message;
};

// {"type":"error","error":{"type","message"}} (also tolerates a bare {"error":{...}}).
std::optional<ProviderError> extract_error(const json& body) {
  if (!body.is_object())
    return std::nullopt;
  const auto error = body.find("error");
  if (error == body.end() || !error->is_object())
    return std::nullopt;
  ProviderError out;
  if (const auto it = error->find("type"); it != error->end() && it->is_string())
    out.type = *it;
  if (const auto it = error->find("message"); it != error->end() && it->is_string())
    out.message = *it;
  if (out.type.empty() && out.message.empty())
    return std::nullopt;
  return out;
}

// Anthropic's error types and the HTTP status it sends each with (docs "HTTP errors").
struct TypedStatus {
  int status;
  const char* type;
};
constexpr TypedStatus k_error_types[] = {
    {400, "invalid_request_error"}, {401, "authentication_error"},
    {402, "billing_error"},         {403, "permission_error"},
    {404, "not_found_error"},       {413, "request_too_large"},
    {429, "rate_limit_error"},      {500, "api_error"},
    {504, "timeout_error"},         {529, "overloaded_error"},
};

int status_for_type(const std::string& type) {
  for (const auto& entry : k_error_types) {
    if (type == entry.type)
      return entry.status;
  }
  return 502;
}

const char* type_for_status(int status) {
  if (const char* type = error_type_for_status(status))
    return type;
  return status >= 500 ? "api_error" : "upstream_error";
}

bool retryable(int status, const std::string& type) {
  return retryable_http_status(status) || type == "overloaded_error" || type == "api_error" ||
         type == "rate_limit_error";
}

[[noreturn]] void throw_provider_error(const std::string& provider, const ProviderError& found) {
  const std::string type = found.type.empty() ? "api_error" : found.type;
  Error error = make_error(ErrorKind::upstream,
                           provider + ": " + (found.message.empty() ? type : found.message));
  error.provider = provider;
  error.type = type;
  error.http_status = status_for_type(type);
  error.retryable = retryable(error.http_status, type);
  throw GatewayError(std::move(error));
}

// A token count, 0 when absent or not a non-negative integer; clamped (adapter_util).
std::int64_t count(const json& usage, const char* key) {
  return adapter::token_count(usage, key).value_or(0);
}

}  // namespace

const char* error_type_for_status(int status) {
  for (const auto& entry : k_error_types) {
    if (status == entry.status)
      return entry.type;
  }
  return nullptr;
}

std::string map_stop_reason(const json& stop_reason) {
  if (!stop_reason.is_string())
    return "stop";
  const std::string reason = stop_reason;
  if (reason == "max_tokens" || reason == "model_context_window_exceeded" || reason == "compaction")
    return "length";
  if (reason == "tool_use")
    return "tool_calls";
  if (reason == "refusal")
    return "content_filter";
  return "stop";
}

json to_openai_usage(const json& usage) {
  const json& source = usage;  // the readers below take a non-object as empty
  const std::int64_t input = count(source, "input_tokens");
  const std::int64_t cache_write = count(source, "cache_creation_input_tokens");
  const std::int64_t cache_read = count(source, "cache_read_input_tokens");
  const std::int64_t output = count(source, "output_tokens");
  const std::int64_t prompt =
      adapter::add_counts(adapter::add_counts(input, cache_write), cache_read);
  json out = {{"prompt_tokens", prompt},
              {"completion_tokens", output},
              {"total_tokens", adapter::add_counts(prompt, output)},
              {"prompt_tokens_details", {{"cached_tokens", cache_read}}}};
  // Extension fields (OpenAI's schema has cache_write_tokens; the TTL split is ours): cache
  // writes cost more than plain input (1.25x for the 5-minute cache, 2x for 1 hour), so
  // pricing needs them apart from prompt_tokens, of which they are a subset. Present only
  // when non-zero.
  if (cache_write > 0)
    out["prompt_tokens_details"]["cache_write_tokens"] = cache_write;
  if (const json* split = member(source, "cache_creation"); split != nullptr) {
    if (const std::int64_t five = count(*split, "ephemeral_5m_input_tokens"); five > 0)
      out["prompt_tokens_details"]["cache_write_5m_tokens"] = five;
    if (const std::int64_t hour = count(*split, "ephemeral_1h_input_tokens"); hour > 0)
      out["prompt_tokens_details"]["cache_write_1h_tokens"] = hour;
  }
  if (const json* details = member(source, "output_tokens_details");
      details != nullptr && details->is_object() && details->contains("thinking_tokens")) {
    out["completion_tokens_details"] = {{"reasoning_tokens", count(*details, "thinking_tokens")}};
  }
  return out;
}

json parse_chat_response(const HttpResponse& response, const ResponseContext& context) {
  const json body = json::parse(response.body, nullptr, false);
  const auto fail_body = [&](const char* what) {
    Error error =
        make_error(ErrorKind::upstream,
                   context.provider + " returned HTTP " + std::to_string(response.status) +
                       " with a body that is " + what + ": " + excerpt(response.body));
    error.provider = context.provider;
    throw GatewayError(std::move(error));
  };
  if (body.is_discarded())
    fail_body("not JSON");
  if (body.is_object() && body.value("type", json()) == "error") {
    if (const auto found = extract_error(body))
      throw_provider_error(context.provider, *found);
  }
  if (!body.is_object() || !body.contains("content") || !body["content"].is_array())
    fail_body("not a message");

  std::string text;
  json tool_calls = json::array();
  for (const auto& block : body["content"]) {
    if (!block.is_object())
      continue;
    const json type = block.value("type", json());
    if (type == "text" && block.contains("text") && block["text"].is_string()) {
      text += block["text"].get<std::string>();
    } else if (type == "tool_use") {
      tool_calls.push_back(
          {{"id", string_field(block, "id")},
           {"type", "function"},
           {"function",
            {{"name", string_field(block, "name")},
             {"arguments", block.value("input", json::object())
                               .dump(-1, ' ', false, json::error_handler_t::replace)}}}});
    }
    // thinking, redacted_thinking and server-tool blocks have no place in the canonical
    // answer.
  }

  json message = {{"role", "assistant"}, {"refusal", nullptr}};
  message["content"] = tool_calls.empty() || !text.empty() ? json(text) : json(nullptr);
  if (!tool_calls.empty())
    message["tool_calls"] = std::move(tool_calls);

  const json model = body.value("model", json());
  json out = {
      {"id", string_field(body, "id")},
      {"object", "chat.completion"},
      {"created", context.created},
      {"model", model.is_string() && !model.empty() ? model : json(context.model)},
      {"choices",
       json::array({{{"index", 0},
                     {"message", std::move(message)},
                     {"logprobs", nullptr},
                     {"finish_reason", map_stop_reason(body.value("stop_reason", json()))}}})},
      {"usage", to_openai_usage(body.value("usage", json()))}};
  return out;
}

Error map_error(const HttpResponse& response, const std::string& provider) {
  const int status = response.status;
  const json body = json::parse(response.body, nullptr, false);
  std::optional<ProviderError> found;
  if (!body.is_discarded())
    found = extract_error(body);

  Error error = upstream_error(response, provider, found ? found->message : std::string());
  error.type = found && !found->type.empty() ? found->type : type_for_status(status);
  error.retryable = retryable(status, error.type);
  apply_retry_headers(error, response);

  if (status == 401 || status == 403) {
    error.fix = "check the key: `llmgw keys set " + provider + "`";
  } else if (status == 402 || error.type == "billing_error") {
    error.fix = "add credit at the provider";
  }
  return error;
}

// ---------------------------------------------------------------- stream

StreamDecoder::StreamDecoder(ResponseContext context)
    : m_context(std::move(context)), m_model(m_context.model) {
  refresh_shell();
}

void StreamDecoder::refresh_shell() {
  m_shell = {{"id", m_id},
             {"object", "chat.completion.chunk"},
             {"created", m_context.created},
             {"model", m_model},
             {"choices", json::array({{{"index", 0},
                                       {"delta", json::object()},
                                       {"logprobs", nullptr},
                                       {"finish_reason", nullptr}}})}};
}

json StreamDecoder::chunk(json delta, json finish_reason) const {
  json out = m_shell;
  json& choice = out["choices"][0];
  choice["delta"] = std::move(delta);
  choice["finish_reason"] = std::move(finish_reason);
  return out;
}

void StreamDecoder::merge_usage(const json& usage) {
  if (!usage.is_object())
    return;
  if (!m_anthropic_usage.is_object())
    m_anthropic_usage = json::object();
  // Counts are cumulative: each non-null field overwrites, never adds.
  for (const auto& [key, value] : usage.items()) {
    if (!value.is_null())
      m_anthropic_usage[key] = value;
  }
  m_usage = to_openai_usage(m_anthropic_usage);
}

std::vector<json> StreamDecoder::on_event(const SseEvent& event) {
  std::vector<json> out;
  const std::string_view data = adapter::trim_view(event.data);
  if (data.empty() && event.event != "error")
    return out;
  const json payload = adapter::parse_json(data);
  if (event.event == "error" || text_member(payload, "type") == "error") {
    std::optional<ProviderError> found;
    if (!payload.is_discarded())
      found = extract_error(payload);
    if (!found) {
      found = ProviderError{};
      found->message = data.empty() ? "stream error event without details" : excerpt(data);
    }
    throw_provider_error(m_context.provider, *found);
  }
  if (payload.is_discarded() || !payload.is_object()) {
    Error error = make_error(
        ErrorKind::stream_broken,
        m_context.provider + " sent a stream event that is not a JSON object: " + excerpt(data));
    error.provider = m_context.provider;
    throw GatewayError(std::move(error));
  }
  if (m_done)
    return out;

  // The data's type names the event; the event: line may be absent behind some proxies.
  const std::string_view type = text_member(payload, "type", event.event);
  if (type == "message_start") {
    if (const json* message = member(payload, "message"); message && message->is_object()) {
      if (const auto it = message->find("id"); it != message->end() && it->is_string())
        m_id = *it;
      if (const auto it = message->find("model");
          it != message->end() && it->is_string() && !it->get<std::string>().empty())
        m_model = *it;
      if (const json* usage = member(*message, "usage"))
        merge_usage(*usage);
      refresh_shell();
    }
    out.push_back(chunk({{"role", "assistant"}, {"content", ""}}));
  } else if (type == "content_block_start") {
    const json block = payload.value("content_block", json::object());
    const json block_type = block.is_object() ? block.value("type", json()) : json();
    if (block_type == "text") {
      const json text = block.value("text", json());
      if (text.is_string() && !text.get<std::string>().empty())
        out.push_back(chunk({{"content", text}}));
    } else if (block_type == "tool_use") {
      const int k = m_next_tool_index++;
      m_tool_index[int_field(payload, "index", -1)] = k;
      out.push_back(chunk(
          {{"tool_calls",
            json::array(
                {{{"index", k},
                  {"id", string_field(block, "id")},
                  {"type", "function"},
                  {"function", {{"name", string_field(block, "name")}, {"arguments", ""}}}}})}}));
    }
  } else if (type == "content_block_delta") {
    // The hot path (one event per token): read in place, copy only the text.
    const json* delta = member(payload, "delta");
    const std::string_view delta_type = delta ? text_member(*delta, "type") : std::string_view();
    if (delta_type == "text_delta") {
      if (const std::string_view text = text_member(*delta, "text"); !text.empty()) {
        json content = json::object();
        content["content"] = text;
        out.push_back(chunk(std::move(content)));
      }
    } else if (delta_type == "input_json_delta") {
      const auto it = m_tool_index.find(int_field(payload, "index", -1));
      const std::string_view partial = text_member(*delta, "partial_json");
      // Deltas of server-tool blocks have no registered index and are not the client's.
      if (it != m_tool_index.end() && !partial.empty()) {
        out.push_back(chunk(
            {{"tool_calls",
              json::array({{{"index", it->second}, {"function", {{"arguments", partial}}}}})}}));
      }
    }
  } else if (type == "message_delta") {
    merge_usage(payload.value("usage", json()));
    const json delta = payload.value("delta", json::object());
    const json stop_reason = delta.is_object() ? delta.value("stop_reason", json()) : json();
    if (!stop_reason.is_null() && !m_finish_sent) {
      m_finish_sent = true;
      out.push_back(chunk(json::object(), map_stop_reason(stop_reason)));
    }
  } else if (type == "message_stop") {
    m_done = true;
    if (!m_finish_sent) {
      m_finish_sent = true;
      out.push_back(chunk(json::object(), "stop"));
    }
    if (m_usage) {
      json usage_chunk = chunk(json::object());
      usage_chunk["choices"] = json::array();
      usage_chunk["usage"] = *m_usage;
      out.push_back(std::move(usage_chunk));
    }
  }
  // content_block_stop, ping and unknown event types carry nothing for the client.
  return out;
}

}  // namespace llmgw::anthropic
