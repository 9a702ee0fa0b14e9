#include "daemon/request_log.hpp"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/time_text.hpp"

namespace llmgw::daemon {

namespace {

using Json = nlohmann::ordered_json;

Json text_or_null(const std::string& value) {
  return value.empty() ? Json() : Json(value);
}

Json milliseconds(double value) {
  if (!std::isfinite(value))
    return Json();
  return std::round(value * 1000) / 1000;
}

// The one list of fields both formats write, in order.
Json fields(const RequestLogEntry& e) {
  Json out = Json::object();
  out["time"] = utc_iso_ms_text(e.time_ms);
  out["request_id"] = text_or_null(e.request_id);
  out["client_key"] = text_or_null(e.client_key_name);
  out["method"] = text_or_null(e.method);
  out["path"] = text_or_null(e.path);
  out["endpoint"] = text_or_null(e.endpoint);
  out["model_requested"] = text_or_null(e.model_requested);
  out["model_served"] = text_or_null(e.model_served);
  out["provider"] = text_or_null(e.provider);
  out["status"] = e.status;
  out["error_type"] = text_or_null(e.error_type);
  out["latency_ms"] = milliseconds(e.latency_ms);
  out["ttft_ms"] = e.ttft_ms ? milliseconds(*e.ttft_ms) : Json();
  out["attempts"] = e.attempts;
  out["input_tokens"] = e.input_tokens;
  out["output_tokens"] = e.output_tokens;
  out["cached_tokens"] = e.cached_tokens;
  out["cost_usd"] = e.cost_usd && std::isfinite(*e.cost_usd) ? Json(*e.cost_usd) : Json();
  out["cache"] = to_string(e.cache);
  out["stream"] = e.stream;
  return out;
}

bool needs_quotes(const std::string& value) {
  if (value.empty())
    return true;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '"' || c == '=' || c == '\\')
      return true;
  }
  return false;
}

void append_text_value(std::string& line, const std::string& value) {
  if (!needs_quotes(value)) {
    line += value;
    return;
  }
  line += '"';
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        line += "\\\"";
        break;
      case '\\':
        line += "\\\\";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      case '\t':
        line += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", byte);
          line += escape;
        } else {
          line += c;
        }
    }
  }
  line += '"';
}

std::string text_line(const Json& values) {
  std::string line;
  for (const auto& [key, value] : values.items()) {
    if (value.is_null())
      continue;
    if (!line.empty())
      line += ' ';
    line.append(key) += '=';
    if (value.is_string())
      append_text_value(line, value.get_ref<const std::string&>());
    else
      line += value.dump();
  }
  return line;
}

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "json")
    return LogFormat::json;
  if (name == "text")
    return LogFormat::text;
  return std::nullopt;
}

const char* to_string(LogFormat format) {
  return format == LogFormat::json ? "json" : "text";
}

std::string format_request_log_line(const RequestLogEntry& entry, LogFormat format) {
  const Json values = fields(entry);
  // Invalid UTF-8 from a request (a path, a model) becomes U+FFFD instead of an exception.
  std::string line = format == LogFormat::json
                         ? values.dump(-1, ' ', false, Json::error_handler_t::replace)
                         : text_line(values);
  line += '\n';
  return line;
}

void RequestLogger::log(const RequestLogEntry& entry) {
  if (m_quiet)
    return;
  const std::string line = format_request_log_line(entry, m_format);
  std::lock_guard lock(m_mutex);
  m_out.write(line.data(), static_cast<std::streamsize>(line.size()));
  m_out.flush();
}

}  // namespace llmgw::daemon
