// The terminal world a command sees, injected so commands run in-process in tests as
// well as in the real binary.
#pragma once

#include <iosfwd>
#include <string>

#include "core/config/env.hpp"

namespace llmgw::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_tty = false;
  bool out_tty = false;
  bool err_tty = false;
  EnvLookup env;
  // Reads a secret from the terminal without echo; only called when in_tty.
  std::string (*read_secret)(const std::string& prompt) = nullptr;
};

// The real process: std::cin/cout/cerr, isatty() on fds 0-2, the real environment.
Io process_io();

// True when stderr may carry ANSI colour: a TTY, NO_COLOR unset, TERM not "dumb".
bool stderr_color(const Io& io);

}  // namespace llmgw::cli
