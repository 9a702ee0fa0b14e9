// A program run on a pseudo-terminal, as a person at a terminal runs it: stdin, stdout and
// stderr are the pty's slave side, and the test types keys into the master side and reads
// what the screen shows. Every wait is bounded, so a hung child fails the test instead of
// hanging the suite; the child is killed if it is still running when the session ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

#include "support/subprocess.hpp"

namespace llmgw::test {

class PtySession {
 public:
  explicit PtySession(const ProcessSpec& spec);
  ~PtySession();
  PtySession(const PtySession&) = delete;
  PtySession& operator=(const PtySession&) = delete;

  // Sends keys as the terminal would: "\r" is Enter, "\x03" Ctrl-C, "\x04" Ctrl-D.
  void type(std::string_view keys);
  // Reads the screen until `text` appears at or after `from` (an offset into screen());
  // false on timeout or when the child has closed the terminal.
  bool wait_for(std::string_view text, std::size_t from = 0,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Everything the program has written to the terminal so far (escape sequences and all).
  const std::string& screen() const { return m_screen; }
  std::size_t mark() const { return m_screen.size(); }
  pid_t pid() const { return m_pid; }
  // The terminal's ECHO flag now (the program must give it back when it ends).
  bool echo_on() const;
  // Waits until the terminal is in raw mode (ICANON off), as a line editor sets it: a
  // prompt can be on the screen a moment before, and keys typed then are read by the
  // terminal driver (^C, ^Z as signals) instead of the program.
  bool wait_for_raw_mode(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until the child closes the terminal and exits (killing it after `timeout`);
  // returns its exit code, 128+N when killed by signal N.
  int finish(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  bool pump(std::chrono::milliseconds max_wait);  // false once the terminal is closed

  pid_t m_pid = -1;
  int m_master = -1;
  std::string m_screen;
  bool m_finished = false;
  int m_exit_code = -1;
};

}  // namespace llmgw::test
