#include "core/http/ndjson_parser.hpp"

#include <utility>

namespace llmgw {

void NdjsonParser::emit(std::string_view line, const Callback& on_line) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  if (line.find_first_not_of(" \t") != std::string_view::npos)
    on_line(line);
}

void NdjsonParser::feed(std::string_view bytes, const Callback& on_line) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      m_line.append(bytes);
      return;
    }
    const std::string_view tail = bytes.substr(0, newline);
    bytes.remove_prefix(newline + 1);
    if (m_line.empty()) {
      // The usual case: the whole line is in this piece and is read where it is.
      emit(tail, on_line);
    } else {
      // Move the line out first so that a callback that throws leaves no half state.
      m_line.append(tail);
      const std::string line = std::exchange(m_line, {});
      emit(line, on_line);
    }
  }
}

void NdjsonParser::finish(const Callback& on_line) {
  const std::string line = std::exchange(m_line, {});
  emit(line, on_line);
}

}  // namespace llmgw
