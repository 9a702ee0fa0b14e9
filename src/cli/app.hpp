// Entry point of the CLI: parses argv, runs one subcommand, and turns every failure
// into "llmgw: error: ..." plus a documented exit code. No exception escapes run().
#pragma once

#include "cli/io.hpp"

namespace llmgw::cli {

int run(int argc, const char* const* argv, Io& io);

}  // namespace llmgw::cli
