// Money as the CLI prints it: US dollars to the millionth, e.g. "$0.000123", so that
// the cost of a single small request is never shown as $0.00.
#pragma once

#include <string>

namespace llmgw::cli {

std::string usd_text(double usd);

}  // namespace llmgw::cli
