#include "core/http/sse_parser.hpp"

#include <utility>

namespace llmgw {

void SseParser::feed(std::string_view bytes, const Callback& on_event) {
  std::size_t pos = 0;
  if (m_after_cr && !bytes.empty()) {
    // The '\r' that ended the previous line may be the first half of "\r\n".
    m_after_cr = false;
    if (bytes.front() == '\n') {
      pos = 1;
    }
  }
  while (pos < bytes.size()) {
    const std::size_t end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      m_line.append(bytes.substr(pos));
      return;
    }
    m_line.append(bytes.substr(pos, end - pos));
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos < bytes.size()) {
        if (bytes[pos] == '\n') {
          ++pos;
        }
      } else {
        m_after_cr = true;
      }
    }
    // Move the line out first so that a callback that throws leaves no half state.
    const std::string line = std::exchange(m_line, {});
    process_line(line, on_event);
  }
}

void SseParser::finish(const Callback& on_event) {
  if (!m_line.empty()) {
    const std::string line = std::exchange(m_line, {});
    process_line(line, on_event);
  }
  m_after_cr = false;
  if (m_has_data) {
    dispatch(on_event);
  }
  m_event = {};
  m_has_data = false;
}

void SseParser::process_line(std::string_view line, const Callback& on_event) {
  if (line.empty()) {
    if (m_has_data) {
      dispatch(on_event);
    }
    // An event without data is discarded, but its fields must not leak into the next one.
    m_event = {};
    m_has_data = false;
    return;
  }
  if (line.front() == ':') {
    return;  // comment (keep-alive pings such as ": OPENROUTER PROCESSING")
  }
  std::string_view field = line;
  std::string_view value;
  if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
  }
  if (field == "data") {
    if (m_has_data) {
      m_event.data.push_back('\n');
    }
    m_event.data.append(value);
    m_has_data = true;
  } else if (field == "event") {
    m_event.event.assign(value);
  } else if (field == "id") {
    // WHATWG: an id containing NUL is ignored.
    if (value.find('\0') == std::string_view::npos) {
      m_event.id.assign(value);
    }
  }
  // "retry" and unknown fields are ignored.
}

void SseParser::dispatch(const Callback& on_event) {
  const SseEvent event = std::exchange(m_event, {});
  m_has_data = false;
  on_event(event);
}

}  // namespace llmgw
