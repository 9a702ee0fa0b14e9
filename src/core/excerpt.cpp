#include "core/excerpt.hpp"

namespace llmgw {

// A readable one-line excerpt of an arbitrary body: whitespace runs collapsed, cut on a
// UTF-8 boundary at limit bytes with "…".
std::string excerpt(std::string_view body, std::size_t limit) {
  std::string out;
  bool pending_space = false;
  for (char c : body) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space)
      out += ' ';
    pending_space = false;
    out += c;
  }
  if (out.size() <= limit)
    return out;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
    --cut;
  out.resize(cut);
  return out + "\u2026";
}

}  // namespace llmgw
