#include "cli/usage_format.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/time_text.hpp"

namespace llmgw::cli {

namespace {

std::string money(double usd, bool dollar_sign) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, dollar_sign ? "$%.6f" : "%.6f", usd);
  return buffer;
}

// The known cost; "-" when nothing is known of it (only unpriced answers), so a line of
// an unpriced model never reads $0.
std::string cost_cell(const UsageTotals& t) {
  return t.unpriced > 0 && t.cost_usd == 0.0 ? "-" : money(t.cost_usd, true);
}

// Token columns count tokens; cost and saved are USD.
constexpr std::array<const char*, 11> k_table_heads = {
    "requests",  "errors", "cancelled", "input",      "output", "cached",
    "reasoning", "cost",   "unpriced",  "cache hits", "saved"};

std::vector<std::string> table_cells(const UsageTotals& t) {
  return {std::to_string(t.requests),
          std::to_string(t.errors),
          std::to_string(t.cancelled),
          std::to_string(t.input_tokens),
          std::to_string(t.output_tokens),
          std::to_string(t.cached_input_tokens),
          std::to_string(t.reasoning_tokens),
          cost_cell(t),
          std::to_string(t.unpriced),
          std::to_string(t.cache_hits),
          money(t.saved_usd, true)};
}

// Sums of doubles carry float noise (0.025070000000000002); a billionth of a dollar is
// far below any price, so JSON gets the nearest double to a whole number of those.
double nano_rounded(double usd) {
  return std::round(usd * 1e9) / 1e9;
}

nlohmann::json totals_json(const UsageTotals& t) {
  return {{"requests", t.requests},
          {"errors", t.errors},
          {"cancelled", t.cancelled},
          {"input_tokens", t.input_tokens},
          {"output_tokens", t.output_tokens},
          {"cached_input_tokens", t.cached_input_tokens},
          {"cache_write_tokens", t.cache_write_tokens},
          {"reasoning_tokens", t.reasoning_tokens},
          {"cost_usd", nano_rounded(t.cost_usd)},
          {"unpriced_requests", t.unpriced},
          {"cache_hits", t.cache_hits},
          {"saved_usd", nano_rounded(t.saved_usd)}};
}

// RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos)
    return text;
  std::string out = "\"";
  for (const char c : text) {
    out += c;
    if (c == '"')
      out += '"';
  }
  return out + "\"";
}

std::string csv_line(const std::string& label, const UsageTotals& t) {
  std::vector<std::string> fields = {csv_field(label)};
  for (const std::int64_t count :
       {t.requests, t.errors, t.cancelled, t.input_tokens, t.output_tokens, t.cached_input_tokens,
        t.cache_write_tokens, t.reasoning_tokens}) {
    fields.push_back(std::to_string(count));
  }
  fields.push_back(money(t.cost_usd, false));
  fields.push_back(std::to_string(t.unpriced));
  fields.push_back(std::to_string(t.cache_hits));
  fields.push_back(money(t.saved_usd, false));
  std::string line;
  for (const std::string& field : fields) {
    if (!line.empty())
      line += ',';
    line += field;
  }
  return line + '\n';
}

std::string heading(const UsageReport& report) {
  std::string text = "usage from " + local_minute_text(report.query.since_ms) + " to " +
                     local_minute_text(report.query.until_ms);
  if (report.query.group != UsageGroup::none)
    text += ", by " + std::string(to_string(report.query.group));
  return text + "\n";
}

}  // namespace

std::string usage_table(const UsageReport& report) {
  std::string out = heading(report);
  if (report.total.requests == 0)
    return out + "no requests recorded in this period\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {report.query.group == UsageGroup::none
                                       ? std::string()
                                       : std::string(to_string(report.query.group))};
  head.insert(head.end(), k_table_heads.begin(), k_table_heads.end());
  rows.push_back(head);
  for (const UsageLine& line : report.lines) {
    std::vector<std::string> cells = {line.label};
    const auto values = table_cells(line.totals);
    cells.insert(cells.end(), values.begin(), values.end());
    rows.push_back(cells);
  }
  std::vector<std::string> total = {"total"};
  const auto values = table_cells(report.total);
  total.insert(total.end(), values.begin(), values.end());
  rows.push_back(total);

  std::vector<std::size_t> widths(head.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  out += "\n";
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - row[i].size(), ' ');
      line += i == 0 ? row[i] + pad : "  " + pad + row[i];  // labels left, numbers right
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  if (report.total.unpriced > 0) {
    const bool one = report.total.unpriced == 1;
    out += "\n" + std::to_string(report.total.unpriced) +
           (one ? " answered request has" : " answered requests have") + " no known price and " +
           (one ? "is" : "are") +
           " not in the cost; add [prices.\"provider/model\"] to config.toml to price " +
           (one ? "it" : "them") + "\n";
  }
  return out;
}

nlohmann::json usage_json(const UsageReport& report) {
  nlohmann::json lines = nlohmann::json::array();
  for (const UsageLine& line : report.lines) {
    nlohmann::json item = {{"label", line.label}};
    item.update(totals_json(line.totals));
    lines.push_back(std::move(item));
  }
  return {{"since", utc_iso_text(report.query.since_ms)},
          {"until", utc_iso_text(report.query.until_ms)},
          {"group", to_string(report.query.group)},
          {"lines", std::move(lines)},
          {"total", totals_json(report.total)}};
}

std::string usage_csv(const UsageReport& report) {
  std::string out =
      "label,requests,errors,cancelled,input_tokens,output_tokens,cached_input_tokens,"
      "cache_write_tokens,reasoning_tokens,cost_usd,unpriced_requests,cache_hits,saved_usd\n";
  if (report.query.group == UsageGroup::none) {
    out += csv_line("total", report.total);
    return out;
  }
  for (const UsageLine& line : report.lines)
    out += csv_line(line.label, line.totals);
  return out;
}

}  // namespace llmgw::cli
