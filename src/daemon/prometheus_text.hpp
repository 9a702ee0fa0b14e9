// The Prometheus text exposition format, version 0.0.4, as far as `GET /metrics` needs it:
// families with one `# HELP` and one `# TYPE` line, samples with escaped label values, and
// histograms as cumulative `_bucket{le=...}` lines ending in `+Inf`, then `_sum` and `_count`.
// Numbers are written with `std::to_chars`, so the locale never changes them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::daemon {

// The Content-Type of a /metrics answer.
inline constexpr const char* k_prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
  std::string_view name;   // a valid label name (the caller's constant)
  std::string_view value;  // any UTF-8; escaped when written
};
using Labels = std::vector<Label>;

// A label value with backslash, double quote and line feed escaped as the format requires.
std::string escape_label_value(std::string_view value);

// A sample value or bucket bound in the shortest form that reads back to the same double,
// with '.' whatever the locale; non-finite values as the format spells them (NaN, +Inf, -Inf).
std::string format_value(double value);

class PrometheusText {
 public:
  // Starts a family. `name`, `type` (counter, gauge, histogram) and `help` are the caller's
  // constants: `help` holds no backslash or line feed.
  void family(std::string_view name, std::string_view type, std::string_view help);

  void sample(std::string_view name, const Labels& labels, std::uint64_t value);
  void sample(std::string_view name, const Labels& labels, double value);

  // One histogram series: `counts[i]` observations fell at or below `bounds[i]` and above
  // the bound before it; `counts` has one element more than `bounds`, for +Inf. Written
  // cumulative, with `_count` equal to the +Inf bucket (so the two always agree).
  void histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);

  const std::string& text() const { return m_text; }

 private:
  void write_series(std::string_view name, std::string_view suffix, const Labels& labels,
                    const Label* extra);

  std::string m_text;
};

}  // namespace llmgw::daemon
