#include "support/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace llmgw::test {

namespace {

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

}  // namespace

ExecArgs::ExecArgs(const ProcessSpec& spec) {
  m_strings.reserve(spec.argv.size() + spec.env.size());  // no reallocation: pointers stay valid
  for (const auto& arg : spec.argv)
    m_strings.push_back(arg);
  for (const auto& [name, value] : spec.env)
    m_strings.push_back(name + "=" + value);
  for (std::size_t i = 0; i < m_strings.size(); ++i) {
    (i < spec.argv.size() ? m_argv : m_envp).push_back(m_strings[i].data());
  }
  m_argv.push_back(nullptr);
  m_envp.push_back(nullptr);
}

Process::Process(const ProcessSpec& spec) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  ExecArgs exec_args(spec);

  m_pid = fork();
  if (m_pid < 0)
    throw std::runtime_error("fork failed");
  if (m_pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0)
      _exit(126);
    execve(exec_args.argv()[0], exec_args.argv(), exec_args.envp());
    _exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  m_out_fd = out_pipe[0];
  m_err_fd = err_pipe[0];
  m_deadline = std::chrono::steady_clock::now() + spec.timeout;
  // Small inputs fit in the pipe buffer; larger ones would need pumping while writing.
  signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  while (written < spec.stdin_data.size()) {
    const ssize_t n =
        ::write(in_pipe[1], spec.stdin_data.data() + written, spec.stdin_data.size() - written);
    if (n <= 0)
      break;
    written += static_cast<std::size_t>(n);
  }
  ::close(in_pipe[1]);
}

Process::~Process() {
  if (!m_finished && m_pid > 0) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
  close_fd(m_out_fd);
  close_fd(m_err_fd);
}

bool Process::pump(std::chrono::milliseconds max_wait) {
  pollfd fds[2] = {{m_out_fd, POLLIN, 0}, {m_err_fd, POLLIN, 0}};
  const int open = (m_out_fd >= 0) + (m_err_fd >= 0);
  if (open == 0)
    return false;
  if (poll(fds, 2, static_cast<int>(max_wait.count())) <= 0)
    return true;
  char buffer[4096];
  for (int i = 0; i < 2; ++i) {
    int& fd = i == 0 ? m_out_fd : m_err_fd;
    if (fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
      continue;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      (i == 0 ? m_out : m_err).append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      close_fd(fd);
    }
  }
  return true;
}

bool Process::wait_for_stdout(const std::function<bool(const std::string&)>& predicate,
                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate(m_out)) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    if (!pump(std::chrono::milliseconds(20)))
      return predicate(m_out);
  }
  return true;
}

void Process::send_signal(int signal) {
  if (m_pid > 0 && !m_finished)
    kill(m_pid, signal);
}

ProcessResult Process::finish() {
  if (m_finished)
    return m_result;
  while (pump(std::chrono::milliseconds(50))) {
    if (std::chrono::steady_clock::now() >= m_deadline) {
      kill(m_pid, SIGKILL);
      break;
    }
  }
  int status = 0;
  waitpid(m_pid, &status, 0);
  m_finished = true;
  m_result.out = m_out;
  m_result.err = m_err;
  m_result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return m_result;
}

}  // namespace llmgw::test
