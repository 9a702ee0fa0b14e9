// Text without the spaces, tabs and line ends around it: how values typed by people
// (keys, URLs, REPL commands) are read.
#pragma once

#include <string_view>

namespace llmgw {

inline std::string_view trim_whitespace(std::string_view text) {
  constexpr std::string_view k_whitespace = " \t\r\n";
  const auto first = text.find_first_not_of(k_whitespace);
  if (first == std::string_view::npos)
    return {};
  const auto last = text.find_last_not_of(k_whitespace);
  return text.substr(first, last - first + 1);
}

}  // namespace llmgw
