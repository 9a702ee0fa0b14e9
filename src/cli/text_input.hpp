// Text that commands take from their arguments and stdin, checked the same way by each.
#pragma once

#include <string>
#include <vector>

namespace llmgw::cli {

bool is_blank(const std::string& text);

// The words joined by single spaces.
std::string join_words(const std::vector<std::string>& words);

std::string trim_trailing_newlines(std::string text);

// Requests are JSON, which carries only UTF-8: throws GatewayError{usage} saying that
// `what` ("the prompt", "line 3 of notes.txt") is not UTF-8, with an iconv fix.
void require_utf8(const std::string& text, const std::string& what);

}  // namespace llmgw::cli
