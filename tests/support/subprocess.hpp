// Runs a program as a child process with an exact environment, feeds stdin, captures
// stdout/stderr, and can signal it mid-run. Every wait is bounded so a hung child fails
// the test instead of hanging the suite.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace llmgw::test {

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

struct ProcessSpec {
  std::vector<std::string> argv;              // argv[0] is the program path
  std::map<std::string, std::string> env;     // the whole environment of the child
  std::string stdin_data;                     // written, then stdin is closed
  std::chrono::milliseconds timeout{20'000};  // the child is killed after this
  std::string cwd;                            // the child's working directory; "": ours
};

// The argv and envp arrays execve() wants, built (before fork) from a spec; they point
// into this object, so keep it alive until exec.
class ExecArgs {
 public:
  explicit ExecArgs(const ProcessSpec& spec);
  char* const* argv() { return m_argv.data(); }
  char* const* envp() { return m_envp.data(); }

 private:
  std::vector<std::string> m_strings;
  std::vector<char*> m_argv;
  std::vector<char*> m_envp;
};

class Process {
 public:
  explicit Process(const ProcessSpec& spec);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Pumps output until predicate(stdout so far) holds; false on timeout or child exit.
  bool wait_for_stdout(const std::function<bool(const std::string&)>& predicate,
                       std::chrono::milliseconds timeout);
  void send_signal(int signal);
  pid_t pid() const { return m_pid; }
  // Waits for the child to exit (killing it after the spec's timeout) and returns all output.
  ProcessResult finish();

 private:
  bool pump(std::chrono::milliseconds max_wait);  // false when both pipes are closed

  pid_t m_pid = -1;
  int m_out_fd = -1;
  int m_err_fd = -1;
  std::string m_out;
  std::string m_err;
  std::chrono::steady_clock::time_point m_deadline;
  bool m_finished = false;
  ProcessResult m_result;
};

inline ProcessResult run_process(const ProcessSpec& spec) {
  return Process(spec).finish();
}

}  // namespace llmgw::test
