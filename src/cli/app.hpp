// Entry point of the CLI: parses argv, runs one subcommand, and turns every failure
// into "llmgw: error: ..." plus a documented exit code. No exception escapes run().
#pragma once

#include "cli/io.hpp"

namespace CLI {
class App;
}

namespace llmgw::cli {

class Context;

int run(int argc, const char* const* argv, Io& io);

// The whole command line, as run() parses it: global options and every subcommand,
// whose callbacks run against `ctx`. For run() and for tests of the tree (completion).
void build_command_line(CLI::App& app, Context& ctx);

}  // namespace llmgw::cli
