// A one-line progress bar on stderr for long batch jobs (`llmgw embed --lines`): count,
// rate and time left, redrawn in place with '\r'. Only on a terminal: piped or
// redirected stderr, and --quiet, get nothing. Never colour, so NO_COLOR has nothing to
// turn off.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace llmgw::cli {

// e.g. "[######                  ]  2500/10000 inputs  1250/s  ETA 6s". The rate and ETA
// are left out until some time has passed and something is done.
std::string format_progress(std::size_t done, std::size_t total, std::string_view unit,
                            std::chrono::milliseconds elapsed);

class ProgressBar {
 public:
  // Draws nothing unless `enabled`.
  ProgressBar(std::ostream& err, bool enabled, std::size_t total, std::string unit,
              const Clock& clock);
  ~ProgressBar();  // finish()
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws at most every 100 ms (and always when done == total).
  void update(std::size_t done);
  // Erases the bar, leaving the line as it was before it.
  void finish();

 private:
  std::ostream& m_err;
  bool m_enabled;
  std::size_t m_total;
  std::string m_unit;
  const Clock& m_clock;
  std::chrono::steady_clock::time_point m_started;
  std::chrono::steady_clock::time_point m_drawn{};
  std::size_t m_width = 0;  // characters of the last line drawn
};

}  // namespace llmgw::cli
