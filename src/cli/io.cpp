#include "cli/io.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace llmgw::cli {

namespace {

std::string read_secret_from_tty(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool have_termios = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (have_termios)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::cerr << '\n';
  return line;
}

}  // namespace

Io process_io() {
  return Io{std::cin,
            std::cout,
            std::cerr,
            isatty(STDIN_FILENO) == 1,
            isatty(STDOUT_FILENO) == 1,
            isatty(STDERR_FILENO) == 1,
            process_env(),
            &read_secret_from_tty};
}

bool stderr_color(const Io& io) {
  if (!io.err_tty || io.env("NO_COLOR"))
    return false;
  const auto term = io.env("TERM");
  return !(term && *term == "dumb");
}

}  // namespace llmgw::cli
