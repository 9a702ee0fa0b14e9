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

RequestLogger::RequestLogger(std::ostream* out, LogFormat format, bool quiet)
    : m_out(out), m_format(format), m_quiet(quiet), m_thread([this] { run(); }) {}

RequestLogger::~RequestLogger() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

void RequestLogger::log(RequestLogEntry entry) {
  if (m_quiet || m_out == nullptr)
    return;
  queue(Item{std::move(entry), {}});
}

void RequestLogger::write_line(std::string line) {
  if (m_out == nullptr)
    return;
  queue(Item{std::nullopt, std::move(line)});
}

void RequestLogger::queue(Item item) {
  bool first = false;
  {
    std::lock_guard lock(m_mutex);
    first = m_queue.empty();
    m_queue.push_back(std::move(item));
    ++m_queued;
  }
  // Only the first line of a batch wakes the logger: a wake-up per request costs a
  // request thread more than formatting its line did.
  if (first)
    m_wake.notify_one();
}

void RequestLogger::flush() {
  std::unique_lock lock(m_mutex);
  const std::uint64_t target = m_queued;
  m_flush_asked = true;
  m_wake.notify_one();
  m_written_cv.wait(lock, [&] { return m_written >= target; });
}

void RequestLogger::run() {
  std::vector<Item> batch;
  std::string text;
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty())
      return;  // stopping, and everything is written
    // Lets the batch fill for a moment (lines are at most this late).
    m_wake.wait_for(lock, k_batch_window, [this] { return m_stopping || m_flush_asked; });
    m_flush_asked = false;
    batch.swap(m_queue);
    lock.unlock();
    text.clear();
    for (const Item& item : batch)
      text += item.entry ? format_request_log_line(*item.entry, m_format) : item.line;
    m_out->write(text.data(), static_cast<std::streamsize>(text.size()));
    m_out->flush();
    const std::size_t count = batch.size();
    batch.clear();
    lock.lock();
    m_written += count;
    m_written_cv.notify_all();
  }
}

}  // namespace llmgw::daemon
