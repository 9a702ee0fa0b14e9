#include "core/providers/gemini_adapter.hpp"

#include <charconv>
#include <cmath>
#include <set>
#include <string_view>

#include "core/excerpt.hpp"
#include "core/providers/gemini_internal.hpp"
#include "core/providers/upstream_error.hpp"

namespace llmgw::gemini {

using namespace detail;

namespace {

constexpr int k_stream_error_status = 502;

// ---- response mapping -------------------------------------------------------------------

// A token count, 0 when absent or not a non-negative integer; clamped (adapter_util).
std::int64_t count(const json& usage, const char* key) {
  return adapter::token_count(usage, key).value_or(0);
}

const char* map_finish_reason(const std::string& reason) {
  if (reason == "MAX_TOKENS")
    return "length";
  static const std::set<std::string> filtered = {
      "SAFETY",    "RECITATION",       "LANGUAGE",
      "OTHER",     "BLOCKLIST",        "PROHIBITED_CONTENT",
      "SPII",      "IMAGE_SAFETY",     "IMAGE_PROHIBITED_CONTENT",
      "NO_IMAGE",  "IMAGE_RECITATION", "IMAGE_OTHER",
      "ESCALATION"};
  if (filtered.count(reason) != 0)
    return "content_filter";
  // STOP, MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, ... and values added later.
  return "stop";
}

// Gemini ends a turn that called functions with STOP; OpenAI clients expect tool_calls.
std::string finish_reason(const std::string& reason, bool emitted_calls) {
  const std::string mapped = map_finish_reason(reason);
  return mapped == "stop" && emitted_calls ? "tool_calls" : mapped;
}

// One functionCall part → an OpenAI tool call. Gemini 3 rejects the next request unless
// the part's thoughtSignature is echoed back, and OpenAI's format has no place for it, so
// it rides along as extra_content.google.thought_signature (the same field Google's own
// OpenAI-compatible endpoint uses); to_gemini_request puts it back on the part.
json tool_call(std::size_t k, const json& part) {
  const json& function_call = part["functionCall"];
  const json* args = member(function_call, "args");
  json call = {{"id", "call_" + std::to_string(k)},
               {"type", "function"},
               {"function",
                {{"name", adapter::text_member(function_call, "name")},
                 {"arguments", args != nullptr ? adapter::dump_json(*args) : "{}"}}}};
  if (const json signature = part.value("thoughtSignature", json()); signature.is_string())
    call["extra_content"] = {{"google", {{"thought_signature", signature}}}};
  return call;
}

// One entry of a chunk's choices.
json stream_choice(const json& index, json delta, json finish_reason) {
  json choice = json::object();
  choice["index"] = index;
  choice["delta"] = std::move(delta);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = std::move(finish_reason);
  return choice;
}

// The answer's id: the responseId Gemini sent, else one made from the time.
std::string response_id(std::string_view sent, const ResponseContext& context) {
  return !sent.empty() ? std::string(sent) : "chatcmpl-gemini-" + std::to_string(context.created);
}

// The answer's model: the modelVersion Gemini sent, else the model asked for.
std::string response_model(std::string_view sent, const ResponseContext& context) {
  return !sent.empty() ? std::string(sent) : context.model;
}

// ---- errors -----------------------------------------------------------------------------

struct GoogleError {
  long code = 0;
  std::string message;
  std::string status;
  json details = json::array();
};

std::optional<GoogleError> extract_error(const json& body) {
  if (body.is_array() && !body.empty())
    return extract_error(body.front());
  if (!body.is_object())
    return std::nullopt;
  const auto it = body.find("error");
  if (it == body.end())
    return std::nullopt;
  GoogleError out;
  if (it->is_string()) {
    out.message = it->get<std::string>();
    return out.message.empty() ? std::nullopt : std::optional(out);
  }
  if (!it->is_object())
    return std::nullopt;
  const json& e = *it;
  if (e.value("code", json()).is_number_integer())
    out.code = e["code"].get<long>();
  if (e.value("message", json()).is_string())
    out.message = e["message"].get<std::string>();
  if (e.value("status", json()).is_string())
    out.status = e["status"].get<std::string>();
  if (e.value("details", json()).is_array())
    out.details = e["details"];
  if (out.message.empty())
    out.message = out.status.empty() ? "error without a message" : out.status;
  return out;
}

const json* detail(const json& details, std::string_view type_suffix) {
  for (const auto& d : details) {
    if (d.is_object() && d.value("@type", json()).is_string() &&
        ends_with(d["@type"].get_ref<const std::string&>(), type_suffix)) {
      return &d;
    }
  }
  return nullptr;
}

bool per_day_quota(const json& details) {
  for (const auto& d : details) {
    if (!ends_with(adapter::text_member(d, "@type"), "QuotaFailure"))
      continue;
    const json& violations = member_or_null(d, "violations");
    if (!violations.is_array())
      continue;
    for (const auto& v : violations) {
      if (adapter::text_member(v, "quotaId").find("PerDay") != std::string_view::npos)
        return true;
    }
  }
  return false;
}

const char* default_status_for(int status) {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 408:
      return "DEADLINE_EXCEEDED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 500:
      return "INTERNAL";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      break;
  }
  return status >= 500 ? "INTERNAL" : "UNKNOWN";
}

// Fills everything the body tells about an error into `error` (status already set).
void apply_google_error(Error& error, const GoogleError& found) {
  const int status = error.http_status;
  error.type = found.status.empty() ? default_status_for(status) : found.status;
  error.code = error.type;
  std::string reason;
  if (const json* info = detail(found.details, "ErrorInfo")) {
    reason = adapter::string_field(*info, "reason");
    if (!reason.empty())
      error.code = reason;
  }
  if (const json* bad = detail(found.details, "BadRequest")) {
    const json& violations = member_or_null(*bad, "fieldViolations");
    if (violations.is_array() && !violations.empty())
      error.param = adapter::string_field(violations[0], "field");
  }
  if (const json* retry = detail(found.details, "RetryInfo")) {
    if (present(*retry, "retryDelay"))
      error.retry_after = parse_duration((*retry)["retryDelay"]);
  }
  const bool daily = status == 429 && per_day_quota(found.details);
  error.retryable = retryable_http_status(status) && !daily;
  if (status == 401 || status == 403 || reason == "API_KEY_INVALID") {
    error.fix = "check the key: `llmgw keys set " + error.provider + "`";
  } else if (daily) {
    error.fix = "the daily quota is used up: wait for the reset or raise the quota";
  } else if (status == 404) {
    error.fix = "check the model name";
  }
}

[[noreturn]] void throw_stream_error(const std::string& provider, const GoogleError& found) {
  Error error = make_error(ErrorKind::upstream, provider + ": " + found.message);
  error.provider = provider;
  error.http_status =
      found.code >= 400 && found.code <= 599 ? static_cast<int>(found.code) : k_stream_error_status;
  apply_google_error(error, found);
  throw GatewayError(std::move(error));
}

}  // namespace

std::optional<double> parse_duration(const json& value) {
  if (value.is_object()) {
    // int64 seconds may come as a JSON string (proto3 JSON), nanos as a number.
    const json seconds_value = value.value("seconds", json(0));
    std::optional<double> seconds;
    if (seconds_value.is_number())
      seconds = seconds_value.get<double>();
    else if (seconds_value.is_string())
      seconds = parse_duration(json(seconds_value.get<std::string>() + "s"));
    const json nanos = value.value("nanos", json(0));
    if (!seconds || !nanos.is_number())
      return std::nullopt;
    const double total = *seconds + nanos.get<double>() / 1e9;
    return std::isfinite(total) && total >= 0 ? std::optional(total) : std::nullopt;
  }
  if (!value.is_string())
    return std::nullopt;
  std::string text = trim(value.get<std::string>());
  if (text.size() < 2 || text.back() != 's')
    return std::nullopt;
  text.pop_back();
  double number = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size())
    return std::nullopt;
  if (!std::isfinite(number) || number < 0)
    return std::nullopt;
  return number;
}

json to_openai_usage(const json& usage_metadata) {
  using adapter::add_counts;
  const json& u = usage_metadata;
  const std::int64_t prompt = count(u, "promptTokenCount");
  const std::int64_t candidates = count(u, "candidatesTokenCount");
  const std::int64_t thoughts = count(u, "thoughtsTokenCount");
  const std::int64_t tool_use = count(u, "toolUsePromptTokenCount");
  const std::optional<std::int64_t> total = adapter::token_count(u, "totalTokenCount");
  // Some models (reportedly Gemini 3) count thoughts inside candidatesTokenCount; the
  // totals show it when prompt + candidates already add up to the total.
  const bool thoughts_included =
      thoughts > 0 && total && add_counts(add_counts(prompt, candidates), tool_use) == *total;
  const std::int64_t completion = thoughts_included ? candidates : add_counts(candidates, thoughts);
  return {{"prompt_tokens", prompt},
          {"completion_tokens", completion},
          {"total_tokens", total ? *total : add_counts(add_counts(prompt, completion), tool_use)},
          {"prompt_tokens_details", {{"cached_tokens", count(u, "cachedContentTokenCount")}}},
          {"completion_tokens_details", {{"reasoning_tokens", thoughts}}}};
}

json parse_chat_response(const HttpResponse& response, const ResponseContext& context) {
  const std::string& provider = context.provider;
  const json body = json::parse(response.body, nullptr, false);
  const auto fail_body = [&](const char* what) {
    Error error = make_error(ErrorKind::upstream,
                             provider + " returned HTTP " + std::to_string(response.status) +
                                 " with a body that is " + what + ": " + excerpt(response.body));
    error.provider = provider;
    throw GatewayError(std::move(error));
  };
  if (body.is_discarded())
    fail_body("not JSON");
  if (body.is_object() && present(body, "error")) {
    if (const auto found = extract_error(body))
      throw_stream_error(provider, *found);
  }
  if (!body.is_object())
    fail_body("not a GenerateContentResponse");
  const json candidates = body.value("candidates", json::array());
  const std::string blocked = block_reason(body);
  if (!candidates.is_array() || (candidates.empty() && blocked.empty()))
    fail_body("not a GenerateContentResponse");

  json choices = json::array();
  std::size_t next_call = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const json& candidate = candidates[i];
    if (!candidate.is_object())
      continue;
    std::string text;
    json calls = json::array();
    for (const auto& part : candidate_parts(candidate)) {
      if (is_visible_text(part))
        text += part["text"].get<std::string>();
      else if (is_function_call(part))
        calls.push_back(tool_call(next_call++, part));
    }
    json message = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
    if (!calls.empty()) {
      if (text.empty())
        message["content"] = nullptr;
      message["tool_calls"] = calls;
    }
    const json reason = candidate.value("finishReason", json());
    choices.push_back(
        {{"index", candidate.value("index", json(i))},
         {"message", std::move(message)},
         {"logprobs", nullptr},
         {"finish_reason",
          finish_reason(reason.is_string() ? reason.get<std::string>() : "STOP", !calls.empty())}});
  }
  if (choices.empty() && !blocked.empty()) {
    choices.push_back({{"index", 0},
                       {"message", {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}},
                       {"logprobs", nullptr},
                       {"finish_reason", "content_filter"}});
  }

  json out = {{"id", response_id(adapter::text_member(body, "responseId"), context)},
              {"object", "chat.completion"},
              {"created", context.created},
              {"model", response_model(adapter::text_member(body, "modelVersion"), context)},
              {"choices", std::move(choices)}};
  if (const json usage = body.value("usageMetadata", json()); usage.is_object())
    out["usage"] = to_openai_usage(usage);
  return out;
}

Error map_error(const HttpResponse& response, const std::string& provider) {
  const json body = json::parse(response.body, nullptr, false);
  std::optional<GoogleError> found;
  if (!body.is_discarded())
    found = extract_error(body);

  Error error = upstream_error(response, provider, found ? found->message : std::string());
  apply_google_error(error, found ? *found : GoogleError{});
  return error;
}

// ---- stream -----------------------------------------------------------------------------

const std::optional<json>& StreamDecoder::usage() const {
  if (!m_usage_current) {
    m_usage = to_openai_usage(m_usage_metadata);
    m_usage_current = true;
  }
  return m_usage;
}

void StreamDecoder::refresh_chunk() {
  m_chunk = {{"id", m_id},
             {"object", "chat.completion.chunk"},
             {"created", m_context.created},
             {"model", m_model},
             {"choices", json::array()}};
  m_text_chunk = nullptr;
}

void StreamDecoder::emit_chunk(json choices, const ChunkSink& emit) {
  m_chunk["choices"] = std::move(choices);
  emit(m_chunk);
}

void StreamDecoder::emit_text(const json& index, std::string& text, const ChunkSink& emit) {
  if (m_text_chunk.is_null()) {
    m_text_chunk = m_chunk;
    m_text_chunk["choices"] =
        json::array({stream_choice(index, {{"content", std::string()}}, nullptr)});
  }
  json& choice = m_text_chunk["choices"][0];
  choice["index"] = index;
  choice["delta"]["content"].get_ref<std::string&>().swap(text);
  emit(m_text_chunk);
}

json StreamDecoder::chunk_with(json choices) const {
  json out = m_chunk;
  out["choices"] = std::move(choices);
  return out;
}

std::vector<json> StreamDecoder::on_event(const SseEvent& event) {
  std::vector<json> out;
  on_event(event, [&](const json& chunk) { out.push_back(chunk); });
  return out;
}

void StreamDecoder::on_event(const SseEvent& event, const ChunkSink& emit) {
  const std::string_view data = trim_view(event.data);
  if (data.empty())
    return;
  if (read_plain_stream_event(data, m_event)) {
    apply(m_event, emit);
    return;
  }
  json payload = adapter::parse_json(data);
  if (payload.is_discarded() || !(payload.is_object() || payload.is_array())) {
    Error error = make_error(
        ErrorKind::stream_broken,
        m_context.provider + " sent a stream event that is not a JSON object: " + excerpt(data));
    error.provider = m_context.provider;
    throw GatewayError(std::move(error));
  }
  // Without alt=sse Gemini frames responses as one JSON array; accept an array event too.
  if (payload.is_array()) {
    // Every response is read before any chunk goes out, so that an error in a later one
    // emits nothing of this event.
    std::vector<json> chunks;
    for (const auto& response : payload)
      decode_response(response, [&](const json& chunk) { chunks.push_back(chunk); });
    for (const auto& chunk : chunks)
      emit(chunk);
  } else {
    decode_response(payload, emit);
  }
}

void StreamDecoder::decode_response(const json& response, const ChunkSink& emit) {
  if (!response.is_object())
    return;
  if (present(response, "error")) {
    auto found = extract_error(response);
    if (!found) {
      found = GoogleError{};
      found->message = excerpt(response["error"].dump());
    }
    throw_stream_error(m_context.provider, *found);
  }
  read_stream_event(response, m_event);
  apply(m_event, emit);
}

void StreamDecoder::apply(StreamEvent& event, const ChunkSink& emit) {
  if (m_id.empty() || m_model.empty()) {
    if (m_id.empty())
      m_id = response_id(event.response_id, m_context);
    if (m_model.empty())
      m_model = response_model(event.model_version, m_context);
    refresh_chunk();
  }
  if (event.usage_metadata) {
    m_usage_metadata = std::move(*event.usage_metadata);
    m_usage_current = false;
  }

  // Null until something is pushed (push_back makes them arrays): most events fill one.
  json deltas;
  json finishes;
  for (StreamCandidate& candidate : event.candidates) {
    const json& index = candidate.index;
    ChoiceState& state = m_choices[index.is_number_integer() ? index.get<long>() : 0L];
    const bool finishing = candidate.finish_reason.has_value() && !state.finished;
    // The usual event: more text for a choice under way, and nothing else.
    if (event.candidates.size() == 1 && state.role_sent && !finishing && !candidate.text.empty() &&
        candidate.call_parts.empty()) {
      m_any_output = true;
      emit_text(index, candidate.text, emit);
      return;
    }
    json calls;  // null until the first call
    for (const json& part : candidate.call_parts) {
      json call = tool_call(m_next_call_id++, part);
      call["index"] = state.tool_calls++;
      calls.push_back(std::move(call));
    }
    if (!candidate.text.empty() || !calls.empty() || (finishing && !state.role_sent)) {
      json delta = json::object();
      if (!state.role_sent)
        delta["role"] = "assistant";
      state.role_sent = true;
      if (!candidate.text.empty())
        delta["content"] = std::move(candidate.text);
      if (!calls.empty())
        delta["tool_calls"] = std::move(calls);
      deltas.push_back(stream_choice(index, std::move(delta), nullptr));
    }
    if (finishing) {
      state.finished = true;
      m_finish_seen = true;
      finishes.push_back(stream_choice(
          index, json::object(), finish_reason(*candidate.finish_reason, state.tool_calls > 0)));
    }
  }
  if (!event.candidates_listed && !event.block_reason.empty() && m_choices.empty()) {
    // The prompt itself was blocked: one empty answer that says so.
    m_choices[0] = ChoiceState{true, 0, true};
    m_finish_seen = true;
    deltas.push_back({{"index", 0},
                      {"delta", {{"role", "assistant"}, {"content", ""}}},
                      {"logprobs", nullptr},
                      {"finish_reason", nullptr}});
    finishes.push_back({{"index", 0},
                        {"delta", json::object()},
                        {"logprobs", nullptr},
                        {"finish_reason", "content_filter"}});
  }
  if (!deltas.empty()) {
    m_any_output = true;
    emit_chunk(std::move(deltas), emit);
  }
  if (!finishes.empty()) {
    m_any_output = true;
    emit_chunk(std::move(finishes), emit);
  }
}

std::vector<json> StreamDecoder::finish() {
  std::vector<json> out;
  if (m_finished)
    return out;
  m_finished = true;
  m_done = m_finish_seen;
  if (m_any_output && usage()) {
    json chunk = chunk_with(json::array());
    chunk["usage"] = *usage();
    out.push_back(std::move(chunk));
  }
  return out;
}

}  // namespace llmgw::gemini
