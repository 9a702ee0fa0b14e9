#include "daemon/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace llmgw::daemon {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  // Plain decimals where they stay short (0.0001, 300, 12.5), as Prometheus' own clients
  // write them, so that a query can name a bucket as le="0.0001"; exponents beyond.
  const double magnitude = std::fabs(value);
  const bool plain = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e15);
  char buffer[64];
  const auto [end, error] =
      plain ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
            : std::to_chars(buffer, buffer + sizeof buffer, value);
  // 64 bytes hold either form of any double in that range.
  return error == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  m_text.append("# HELP ").append(name).append(" ").append(help).append("\n");
  m_text.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PrometheusText::write_series(std::string_view name, std::string_view suffix,
                                  const Labels& labels, const Label* extra) {
  m_text.append(name).append(suffix);
  if (labels.empty() && extra == nullptr) {
    m_text += ' ';
    return;
  }
  char separator = '{';
  const auto write = [&](const Label& label) {
    m_text += separator;
    m_text.append(label.name).append("=\"").append(escape_label_value(label.value)) += '"';
    separator = ',';
  };
  for (const Label& label : labels)
    write(label);
  if (extra != nullptr)
    write(*extra);
  m_text += "} ";
}

void PrometheusText::sample(std::string_view name, const Labels& labels, std::uint64_t value) {
  write_series(name, "", labels, nullptr);
  m_text.append(std::to_string(value)) += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  write_series(name, "", labels, nullptr);
  m_text.append(format_value(value)) += '\n';
}

void PrometheusText::histogram(std::string_view name, const Labels& labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string bound = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
    const Label le{"le", bound};
    write_series(name, "_bucket", labels, &le);
    m_text.append(std::to_string(cumulative)) += '\n';
  }
  write_series(name, "_sum", labels, nullptr);
  m_text.append(format_value(sum)) += '\n';
  write_series(name, "_count", labels, nullptr);
  m_text.append(std::to_string(cumulative)) += '\n';
}

}  // namespace llmgw::daemon
