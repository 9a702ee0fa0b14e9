#include "core/http/ndjson_parser.hpp"

namespace llmgw {

void NdjsonParser::emit(const Callback& on_line) {
  std::string_view line = m_line;
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  if (line.find_first_not_of(" \t") != std::string_view::npos)
    on_line(line);
  m_line.clear();
}

void NdjsonParser::feed(std::string_view bytes, const Callback& on_line) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      m_line.append(bytes);
      return;
    }
    m_line.append(bytes.substr(0, newline));
    emit(on_line);
    bytes.remove_prefix(newline + 1);
  }
}

void NdjsonParser::finish(const Callback& on_line) {
  emit(on_line);
}

}  // namespace llmgw
