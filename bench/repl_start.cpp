// REPL start to prompt: runs `llmgw chat` on a pseudo-terminal, as a person starts it,
// and times from fork to the first "> " on the screen, then leaves with Ctrl-D. Prints
// min, median and p90 over the runs (figures for the issue notes, not a test).
//   repl_start LLMGW RUNS [ARG...]   (bench/repl_start.sh sets up a fresh HOME)
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "percentile.hpp"

namespace {

// Milliseconds to the prompt, or a negative number when it did not come within 5 s.
double one_start(const std::vector<char*>& argv) {
  const auto start = std::chrono::steady_clock::now();
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0)
    return -1;
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::string screen;
  double took = -1;
  const auto deadline = start + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{master, POLLIN, 0};
    if (poll(&fd, 1, 50) <= 0)
      continue;
    char buffer[4096];
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0)
      break;
    screen.append(buffer, static_cast<std::size_t>(n));
    if (screen.find("> ") != std::string::npos) {
      took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                 .count();
      break;
    }
  }
  if (took >= 0 && write(master, "\x04", 1) != 1)
    took = -1;
  for (int i = 0; i < 100; ++i) {  // let it leave; kill it after 1 s
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      close(master);
      return took;
    }
    pollfd fd{master, POLLIN, 0};
    char buffer[4096];
    if (poll(&fd, 1, 10) > 0 && read(master, buffer, sizeof buffer) <= 0)
      poll(nullptr, 0, 10);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(master);
  return took;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: repl_start LLMGW RUNS [ARG...]\n");
    return 2;
  }
  std::vector<char*> args = {argv[1], const_cast<char*>("chat")};
  for (int i = 3; i < argc; ++i)
    args.push_back(argv[i]);
  args.push_back(nullptr);
  const int runs = std::stoi(argv[2]);
  for (int i = 0; i < 5; ++i)
    one_start(args);  // warm the page cache
  std::vector<double> times;
  int failed = 0;
  for (int i = 0; i < runs; ++i) {
    const double ms = one_start(args);
    if (ms < 0)
      ++failed;
    else
      times.push_back(ms);
  }
  std::printf("  REPL start to prompt, %d runs: min %.2f ms, median %.2f ms, p90 %.2f ms", runs,
              percentile(times, 0), percentile(times, 0.5), percentile(times, 0.9));
  if (failed > 0)
    std::printf(" (%d runs showed no prompt within 5 s)", failed);
  std::printf("\n");
  return failed > 0 ? 1 : 0;
}
