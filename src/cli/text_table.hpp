// Aligned plain-text tables for terminal listings (`providers status`, `keys list
// --clients`): columns two spaces apart, widths in terminal columns, not bytes.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace llmgw::cli {

// Terminal columns of UTF-8 text: its code points (key hints hold a three-byte "…").
std::size_t text_columns(const std::string& text);

// Writes `rows` (the first is usually the heading) with every column as wide as its widest
// cell; rows may have different lengths; lines carry no trailing spaces.
void print_text_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace llmgw::cli
