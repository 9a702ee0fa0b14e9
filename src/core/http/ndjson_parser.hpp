// Incremental newline-delimited JSON framing (Ollama's native streams): feed bytes in
// pieces of any size; each complete, non-blank line is handed over without its "\n" or
// "\r\n". Parsing the JSON is the caller's business.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace llmgw {

class NdjsonParser {
 public:
  // The line is only valid during the call.
  using Callback = std::function<void(std::string_view line)>;

  void feed(std::string_view bytes, const Callback& on_line);
  // At end of stream: hands over a last line that had no "\n" after it.
  void finish(const Callback& on_line);

 private:
  static void emit(std::string_view line, const Callback& on_line);

  std::string m_line;
};

}  // namespace llmgw
