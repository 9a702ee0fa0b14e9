// libFuzzer target: NdjsonParser against a whole-input reference of the rules its header
// promises. Input: one control byte (how the bytes are cut, see feed_in_pieces), then the
// stream. A finding is any difference in the lines handed over, or a crash.
#include <string>
#include <vector>

#include "core/http/ndjson_parser.hpp"
#include "fuzz_common.hpp"

namespace {

// Lines end at "\n" (one "\r" before it is dropped); the last line needs no "\n"; lines of
// only spaces and tabs (and empty ones) are skipped.
std::vector<std::string> reference(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos)
      lines.emplace_back(line);
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string_view text = llmgw::fuzz::payload(data, size, 1);
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view line) { lines.emplace_back(line); };
  llmgw::NdjsonParser parser;
  llmgw::fuzz::feed_in_pieces(text, data[0],
                              [&](std::string_view piece) { parser.feed(piece, collect); });
  parser.finish(collect);
  if (lines != reference(text)) {
    llmgw::fuzz::finding("NdjsonParser handed over " + std::to_string(lines.size()) +
                         " lines, the reference " + std::to_string(reference(text).size()) +
                         " (or their text differs)");
  }
  return 0;
}
