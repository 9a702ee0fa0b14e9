#include "core/providers/openai_adapter.hpp"
#include "core/providers/openai_url.hpp"

#include "core/excerpt.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/auth_header.hpp"
#include "core/providers/upstream_error.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <locale>
#include <sstream>

namespace llmgw::openai {

namespace {

using nlohmann::json;

constexpr int k_stream_error_status = 502;

using adapter::trim;

std::string as_text(const json& value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_null())
    return {};
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What a provider said about an error, from any of the body shapes seen in the wild.
struct ProviderError {
  std::string message;
  std::string type;
  std::string param;
  std::string code;
  std::optional<long> numeric_code;  // OpenRouter sends the HTTP status as an int code
};

std::optional<ProviderError> extract_error(const json& body) {
  // Gemini's OpenAI-compatible endpoint wraps the error object in a one-element array.
  if (body.is_array() && !body.empty())
    return extract_error(body.front());
  if (!body.is_object())
    return std::nullopt;
  ProviderError out;
  const json* source = &body;
  if (const auto error = body.find("error"); error != body.end()) {
    if (error->is_string()) {
      out.message = error->get<std::string>();
      return out.message.empty() ? std::nullopt : std::optional(out);
    }
    if (!error->is_object())
      return std::nullopt;
    source = &*error;
  }
  const json& e = *source;
  if (const auto it = e.find("message"); it != e.end())
    out.message = as_text(*it);
  if (out.message.empty()) {
    if (const auto it = e.find("detail"); it != e.end())
      out.message = as_text(*it);
  }
  if (out.message.empty())
    return std::nullopt;
  if (const auto it = e.find("type"); it != e.end() && it->is_string())
    out.type = *it;
  if (const auto it = e.find("param"); it != e.end() && it->is_string())
    out.param = *it;
  if (const auto it = e.find("code"); it != e.end()) {
    if (it->is_number_integer())
      out.numeric_code = it->get<long>();
    out.code = as_text(*it);
  }
  // OpenRouter puts the real upstream message in metadata.raw behind a generic message.
  if (const auto meta = e.find("metadata"); meta != e.end() && meta->is_object()) {
    if (const auto raw = meta->find("raw"); raw != meta->end()) {
      const std::string raw_text = as_text(*raw);
      if (!raw_text.empty())
        out.message += " (" + excerpt(raw_text) + ")";
    }
  }
  return out;
}

const char* default_type_for_status(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "insufficient_quota";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      break;
  }
  return status >= 500 ? "server_error" : "upstream_error";
}

std::optional<double> parse_seconds(std::string_view text) {
  const std::string value = trim(text);
  if (value.empty())
    return std::nullopt;
  double number = 0;
  const auto result = std::from_chars(value.data(), value.data() + value.size(), number);
  if (result.ec != std::errc() || result.ptr != value.data() + value.size())
    return std::nullopt;
  if (!std::isfinite(number) || number < 0)
    return std::nullopt;
  return number;
}

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders to use.
std::optional<std::chrono::sys_seconds> parse_http_date(const std::string& text) {
  std::tm tm{};
  std::istringstream in(trim(text));
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail())
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                            day{static_cast<unsigned>(tm.tm_mday)}};
  if (!date.ok())
    return std::nullopt;
  return sys_days{date} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
}

[[noreturn]] void throw_stream_error(const std::string& provider, const ProviderError& found) {
  Error error = make_error(ErrorKind::upstream, provider + ": " + found.message);
  error.provider = provider;
  error.http_status = k_stream_error_status;
  if (found.numeric_code && *found.numeric_code >= 400 && *found.numeric_code <= 599) {
    error.http_status = static_cast<int>(*found.numeric_code);
  }
  error.type = found.type.empty() ? default_type_for_status(error.http_status) : found.type;
  error.code = found.code;
  error.param = found.param;
  error.retryable = retryable_http_status(error.http_status) &&
                    found.code != "insufficient_quota" && found.type != "insufficient_quota";
  throw GatewayError(std::move(error));
}

}  // namespace

HttpRequest build_chat_request(const json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream) {
  json body = request;
  body["model"] = upstream_model;
  if (stream) {
    body["stream"] = true;
    // Usage only arrives in streams that ask for it; the gateway always needs it for cost.
    auto& options = body["stream_options"];
    if (!options.is_object())
      options = json::object();
    options["include_usage"] = true;
  } else {
    body.erase("stream");
    body.erase("stream_options");
  }

  HttpRequest out;
  out.method = "POST";
  out.url = openai_url(endpoint, upstream_model, "chat/completions");
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", stream ? "text/event-stream" : "application/json");
  add_auth_header(out.headers, endpoint);
  out.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
  out.body = adapter::dump_json(body);
  out.timeouts = endpoint.timeouts;
  return out;
}

json parse_chat_response(const HttpResponse& response, const std::string& provider) {
  json body = json::parse(response.body, nullptr, false);
  const auto fail_body = [&](const char* what) {
    Error error = make_error(ErrorKind::upstream,
                             provider + " returned HTTP " + std::to_string(response.status) +
                                 " with a body that is " + what + ": " + excerpt(response.body));
    error.provider = provider;
    throw GatewayError(std::move(error));
  };
  if (body.is_discarded())
    fail_body("not JSON");
  // Some services (OpenRouter) report a failure that happens after routing with HTTP 200.
  if (body.is_object() && body.contains("error") && !body["error"].is_null()) {
    if (const auto found = extract_error(body))
      throw_stream_error(provider, *found);
  }
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array()) {
    fail_body("not a chat completion");
  }
  return body;
}

std::optional<double> parse_retry_after(const HttpResponse& response) {
  if (const auto ms = response.header("retry-after-ms")) {
    if (const auto value = parse_seconds(*ms))
      return *value / 1000.0;
  }
  const auto retry_after = response.header("retry-after");
  if (!retry_after)
    return std::nullopt;
  if (const auto value = parse_seconds(*retry_after))
    return value;
  // An HTTP-date is only meaningful against a clock; this module has none, so it is read
  // relative to the response's own Date header and ignored without one.
  const auto date_header = response.header("date");
  if (!date_header)
    return std::nullopt;
  const auto when = parse_http_date(*retry_after);
  const auto now = parse_http_date(*date_header);
  if (!when || !now)
    return std::nullopt;
  const auto delta = (*when - *now).count();
  return delta > 0 ? static_cast<double>(delta) : 0.0;
}

Error map_error(const HttpResponse& response, const std::string& provider) {
  const int status = response.status;
  const json body = json::parse(response.body, nullptr, false);
  std::optional<ProviderError> found;
  if (!body.is_discarded())
    found = extract_error(body);

  Error error = upstream_error(response, provider, found ? found->message : std::string());
  error.type = found && !found->type.empty() ? found->type : default_type_for_status(status);
  if (found) {
    error.code = found->code;
    error.param = found->param;
  }
  const bool no_quota = error.code == "insufficient_quota" || error.type == "insufficient_quota";
  error.retryable = retryable_http_status(status) && !no_quota;
  apply_retry_headers(error, response);

  if (status == 401 || status == 403) {
    error.fix = "check the key: `llmgw keys set " + provider + "`";
  } else if (status == 404 && error.code == "model_not_found") {
    error.fix = "check the model name";
  } else if (no_quota || status == 402) {
    error.fix = "add credit at the provider";
  }
  return error;
}

std::optional<json> StreamDecoder::on_event(const SseEvent& event) {
  const std::string_view data = adapter::trim_view(event.data);
  if (event.event == "error") {
    const json payload = adapter::parse_json(data);
    std::optional<ProviderError> found;
    if (!payload.is_discarded())
      found = extract_error(payload);
    if (!found) {
      found = ProviderError{};
      found->message = data.empty() ? "stream error event without details" : excerpt(data);
    }
    throw_stream_error(m_provider, *found);
  }
  if (data.empty())
    return std::nullopt;
  if (data == "[DONE]") {
    m_done = true;
    return std::nullopt;
  }

  json chunk = adapter::parse_json(data);
  if (chunk.is_discarded() || !chunk.is_object()) {
    Error error =
        make_error(ErrorKind::stream_broken,
                   m_provider + " sent a stream event that is not a JSON object: " + excerpt(data));
    error.provider = m_provider;
    throw GatewayError(std::move(error));
  }
  if (const auto it = chunk.find("error"); it != chunk.end() && !it->is_null()) {
    auto found = extract_error(chunk);
    if (!found) {
      found = ProviderError{};
      found->message = excerpt(data);
    }
    throw_stream_error(m_provider, *found);
  }
  // Random padding against length side channels; meaningless to every consumer.
  chunk.erase("obfuscation");

  if (const auto usage = chunk.find("usage"); usage != chunk.end() && !usage->is_null()) {
    m_usage = *usage;
  } else if (const auto groq = chunk.find("x_groq");
             !m_usage && groq != chunk.end() && groq->is_object()) {
    // Groq's older streams carry usage only here; a standard usage chunk takes precedence.
    if (const auto groq_usage = groq->find("usage");
        groq_usage != groq->end() && groq_usage->is_object()) {
      m_usage = *groq_usage;
    }
  }
  return chunk;
}

}  // namespace llmgw::openai
