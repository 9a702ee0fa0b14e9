#include "cli/progress_bar.hpp"

#include <algorithm>
#include <ostream>

namespace llmgw::cli {

namespace {

constexpr std::size_t k_bar_cells = 24;
constexpr std::chrono::milliseconds k_redraw_every{100};

std::string duration_text(long long seconds) {
  if (seconds < 60)
    return std::to_string(seconds) + "s";
  if (seconds < 3600)
    return std::to_string(seconds / 60) + "m" + std::to_string(seconds % 60) + "s";
  return std::to_string(seconds / 3600) + "h" + std::to_string(seconds % 3600 / 60) + "m";
}

}  // namespace

std::string format_progress(std::size_t done, std::size_t total, std::string_view unit,
                            std::chrono::milliseconds elapsed) {
  done = std::min(done, total);
  const std::size_t filled = total == 0 ? k_bar_cells : done * k_bar_cells / total;
  std::string line = "[" + std::string(filled, '#') + std::string(k_bar_cells - filled, ' ') +
                     "]  " + std::to_string(done) + "/" + std::to_string(total) + " " +
                     std::string(unit);
  if (done > 0 && elapsed.count() > 0) {
    const double per_second = static_cast<double>(done) * 1000.0 / elapsed.count();
    line += "  " + std::to_string(static_cast<long long>(per_second + 0.5)) + "/s";
    if (done < total) {
      const double left = static_cast<double>(total - done) / per_second;
      line += "  ETA " + duration_text(static_cast<long long>(left + 0.999));
    }
  }
  return line;
}

ProgressBar::ProgressBar(std::ostream& err, bool enabled, std::size_t total, std::string unit,
                         const Clock& clock)
    : m_err(err),
      m_enabled(enabled),
      m_total(total),
      m_unit(std::move(unit)),
      m_clock(clock),
      m_started(clock.steady_now()) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(std::size_t done) {
  if (!m_enabled)
    return;
  const auto now = m_clock.steady_now();
  if (done < m_total && m_width > 0 && now - m_drawn < k_redraw_every)
    return;
  m_drawn = now;
  const std::string line =
      format_progress(done, m_total, m_unit,
                      std::chrono::duration_cast<std::chrono::milliseconds>(now - m_started));
  // Pads over a longer previous line, e.g. when the ETA got shorter.
  m_err << '\r' << line << std::string(m_width > line.size() ? m_width - line.size() : 0, ' ');
  m_err.flush();
  m_width = std::max(m_width, line.size());
}

void ProgressBar::finish() {
  if (!m_enabled || m_width == 0)
    return;
  m_err << '\r' << std::string(m_width, ' ') << '\r';
  m_err.flush();
  m_width = 0;
}

}  // namespace llmgw::cli
