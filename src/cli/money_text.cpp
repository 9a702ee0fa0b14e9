#include "cli/money_text.hpp"

#include <cstdio>

namespace llmgw::cli {

std::string usd_text(double usd) {
  char text[48];
  std::snprintf(text, sizeof text, "$%.6f", usd);
  return text;
}

}  // namespace llmgw::cli
