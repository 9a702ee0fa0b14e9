#include "cli/io.hpp"

#include <termios.h>
#include <unistd.h>
#include <csignal>

#include <iostream>

namespace llmgw::cli {

namespace {

// The terminal state to put back if Ctrl-C arrives while echo is off; tcsetattr and
// _exit are async-signal-safe.
termios g_saved_termios{};

extern "C" void restore_terminal_and_exit(int) {
  tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  const char newline = '\n';
  (void)!write(STDERR_FILENO, &newline, 1);
  _exit(130);
}

// Echo goes off before the prompt appears, and with TCSANOW rather than TCSAFLUSH, so a
// key pasted or typed the moment the prompt shows is neither echoed nor thrown away.
std::string read_secret_from_tty(const std::string& prompt) {
  termios saved{};
  const bool have_termios = tcgetattr(STDIN_FILENO, &saved) == 0;
  struct sigaction previous {};
  if (have_termios) {
    g_saved_termios = saved;
    struct sigaction action {};
    action.sa_handler = restore_terminal_and_exit;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::cerr << prompt << std::flush;
  std::string line;
  std::getline(std::cin, line);
  if (have_termios) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    sigaction(SIGINT, &previous, nullptr);
  }
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
