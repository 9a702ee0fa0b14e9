#include "cli/text_input.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::cli {

bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty())
      out += ' ';
    out += word;
  }
  return out;
}

std::string trim_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

void require_utf8(const std::string& text, const std::string& what) {
  try {
    (void)nlohmann::json(text).dump();
  } catch (const nlohmann::json::type_error&) {
    fail(ErrorKind::usage, what + " is not UTF-8 text",
         "convert it first, e.g. iconv -f latin1 -t utf-8 FILE | llmgw ...");
  }
}

}  // namespace llmgw::cli
