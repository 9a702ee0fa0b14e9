// A short, one-line, printable excerpt of an arbitrary body for error messages:
// whitespace runs collapsed, cut on a UTF-8 boundary at `limit` bytes with "…".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmgw {

inline constexpr std::size_t k_excerpt_limit = 200;

std::string excerpt(std::string_view body, std::size_t limit = k_excerpt_limit);

}  // namespace llmgw
