#include "core/http/sse_parser.hpp"

#include <utility>

namespace llmgw {

namespace {

// Index of the first '\r' or '\n' in `bytes`, or npos. Two memchr scans (the second
// only up to the first '\n') instead of find_first_of("\r\n"), which tests every byte
// against the set.
std::size_t line_end(std::string_view bytes) {
  const std::size_t newline = bytes.find('\n');
  const std::size_t carriage_return = bytes.substr(0, newline).find('\r');
  return carriage_return != std::string_view::npos ? carriage_return : newline;
}

}  // namespace

void SseParser::feed(std::string_view bytes, const Callback& on_event) {
  if (m_after_cr && !bytes.empty()) {
    // The '\r' that ended the previous line may be the first half of "\r\n".
    m_after_cr = false;
    if (bytes.front() == '\n') {
      bytes.remove_prefix(1);
    }
  }
  while (!bytes.empty()) {
    const std::size_t end = line_end(bytes);
    if (end == std::string_view::npos) {
      m_line.append(bytes);
      return;
    }
    const std::string_view tail = bytes.substr(0, end);
    const char terminator = bytes[end];
    bytes.remove_prefix(end + 1);
    if (terminator == '\r') {
      if (bytes.empty()) {
        m_after_cr = true;
      } else if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
      }
    }
    if (m_line.empty()) {
      // The usual case: the whole line is in this piece and is read where it is.
      process_line(tail, on_event);
    } else {
      // Move the line out first so that a callback that throws leaves no half state.
      m_line.append(tail);
      const std::string line = std::exchange(m_line, {});
      process_line(line, on_event);
    }
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
  reset_event();
}

void SseParser::process_line(std::string_view line, const Callback& on_event) {
  if (line.empty()) {
    if (m_has_data) {
      dispatch(on_event);
    }
    // An event without data is discarded, but its fields must not leak into the next one.
    reset_event();
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
  // The event is handed over in place and then cleared, also when the callback throws;
  // its buffers are kept for the next event.
  struct Reset {
    SseParser& parser;
    ~Reset() { parser.reset_event(); }
  } reset{*this};
  on_event(m_event);
}

void SseParser::reset_event() {
  m_event.event.clear();
  m_event.data.clear();
  m_event.id.clear();
  m_has_data = false;
}

}  // namespace llmgw
