#include "support/pty_session.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <stdexcept>

namespace llmgw::test {

PtySession::PtySession(const ProcessSpec& spec) {
  ExecArgs exec_args(spec);
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 100;
  m_pid = forkpty(&m_master, nullptr, nullptr, &size);
  if (m_pid < 0)
    throw std::runtime_error("forkpty failed");
  if (m_pid == 0) {
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0)
      _exit(127);
    execve(exec_args.argv()[0], exec_args.argv(), exec_args.envp());
    _exit(127);
  }
}

PtySession::~PtySession() {
  if (!m_finished && m_pid > 0) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
  if (m_master >= 0)
    close(m_master);
}

void PtySession::type(std::string_view keys) {
  while (!keys.empty()) {
    const ssize_t n = write(m_master, keys.data(), keys.size());
    if (n <= 0)
      throw std::runtime_error("cannot write to the terminal");
    keys.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool PtySession::pump(std::chrono::milliseconds max_wait) {
  pollfd fd{m_master, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(max_wait.count())) <= 0)
    return true;
  char buffer[4096];
  const ssize_t n = read(m_master, buffer, sizeof buffer);
  if (n <= 0)
    return false;  // EIO: the child closed the terminal
  m_screen.append(buffer, static_cast<std::size_t>(n));
  return true;
}

bool PtySession::wait_for(std::string_view text, std::size_t from,
                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (m_screen.find(text, std::min(from, m_screen.size())) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline || !pump(std::chrono::milliseconds(20)))
      return m_screen.find(text, std::min(from, m_screen.size())) != std::string::npos;
  }
  return true;
}

bool PtySession::echo_on() const {
  termios now{};
  return tcgetattr(m_master, &now) == 0 && (now.c_lflag & ECHO) != 0;
}

bool PtySession::wait_for_raw_mode(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    termios now{};
    if (tcgetattr(m_master, &now) == 0 && (now.c_lflag & ICANON) == 0)
      return true;
    if (std::chrono::steady_clock::now() >= deadline || !pump(std::chrono::milliseconds(5)))
      return false;
  }
}

int PtySession::finish(std::chrono::milliseconds timeout) {
  if (m_finished)
    return m_exit_code;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool exited = false;
  bool open = true;
  while (!exited && std::chrono::steady_clock::now() < deadline) {
    if (open)
      open = pump(std::chrono::milliseconds(20));
    else
      poll(nullptr, 0, 5);
    exited = waitpid(m_pid, &status, WNOHANG) == m_pid;
  }
  if (!exited) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, &status, 0);
  }
  while (open && pump(std::chrono::milliseconds(0))) {  // what it wrote just before exiting
    pollfd fd{m_master, POLLIN, 0};
    if (poll(&fd, 1, 0) <= 0)
      break;
  }
  m_finished = true;
  m_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return m_exit_code;
}

}  // namespace llmgw::test
