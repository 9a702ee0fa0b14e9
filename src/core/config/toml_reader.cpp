#include "core/config/toml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.hpp"

namespace llmgw::config_detail {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

}  // namespace

std::string join(std::span<const std::string_view> items, std::string_view separator) {
  std::string out;
  for (const auto item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> valid) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const auto candidate : valid) {
    // A valid key containing the typo ("model" in "default_model") is a likely intent too.
    const bool contained = key.size() >= 4 && candidate.find(key) != std::string_view::npos;
    const std::size_t distance = contained ? 1 : edit_distance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string TomlReader::source_line(const toml::source_region& region) const {
  return source_line(region.begin.line);
}

std::string TomlReader::source_line(std::size_t line) const {
  return "file " + m_path + ":" + std::to_string(line);
}

void TomlReader::fail_at(const toml::source_region& region, const std::string& message,
                         std::string fix) const {
  fail(ErrorKind::config, m_path + ":" + std::to_string(region.begin.line) + ": " + message,
       std::move(fix));
}

void TomlReader::wrong_type(const toml::node& node, std::string_view what,
                            std::string_view expected) const {
  fail_at(node.source(), std::string(what) + " must be " + std::string(expected) + ", not " +
                             std::string(type_name(node.type())));
}

void TomlReader::unknown_key(const toml::key& key, std::string_view table,
                             std::span<const std::string_view> valid, std::string fix) const {
  std::string message = "unknown key '" + std::string(key.str()) + "'";
  if (!table.empty()) {
    message += " in " + std::string(table);
  }
  if (const auto suggestion = closest_key(key.str(), valid)) {
    message += " (did you mean '" + std::string(*suggestion) + "'?)";
  }
  if (fix.empty()) {
    fix = "valid " + (table.empty() ? std::string("top-level") : std::string(table)) +
          " keys are " + join(valid, ", ");
  }
  fail_at(key.source(), message, std::move(fix));
}

const toml::table& TomlReader::require_table(const toml::node& node, std::string_view what) const {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    wrong_type(node, what, "a table");
  }
  return *table;
}

std::string TomlReader::require_nonempty_string(const toml::node& node,
                                                std::string_view what) const {
  const auto* value = node.as_string();
  if (value == nullptr) {
    wrong_type(node, what, "a string");
  }
  if (value->get().empty()) {
    fail_at(node.source(), std::string(what) + " must not be empty");
  }
  return value->get();
}

long long TomlReader::require_integer(const toml::node& node, const std::string& what,
                                      long long min, long long max) const {
  const auto* integer = node.as_integer();
  if (integer == nullptr) {
    wrong_type(node, what, "an integer");
  }
  const long long value = integer->get();
  if (value < min || value > max) {
    fail_at(node.source(), what + (max == k_no_max ? " must be " + std::to_string(min) + " or more"
                                                   : " must be from " + std::to_string(min) +
                                                         " to " + std::to_string(max)));
  }
  return value;
}

bool TomlReader::require_bool(const toml::node& node, const std::string& what) const {
  const auto* flag = node.as_boolean();
  if (flag == nullptr)
    wrong_type(node, what, "true or false");
  return flag->get();
}

double TomlReader::require_number(const toml::node& node, const std::string& what) const {
  double value = 0;
  if (const auto* integer = node.as_integer()) {
    value = static_cast<double>(integer->get());
  } else if (const auto* floating = node.as_floating_point()) {
    value = floating->get();
  } else {
    wrong_type(node, what, "a number");
  }
  if (!std::isfinite(value)) {
    fail_at(node.source(), what + " must be a finite number");
  }
  return value;
}

std::chrono::milliseconds TomlReader::require_seconds(const toml::node& node,
                                                      const std::string& what,
                                                      bool allow_zero) const {
  double seconds = 0;
  if (const auto* integer = node.as_integer()) {
    seconds = static_cast<double>(integer->get());
  } else if (const auto* floating = node.as_floating_point()) {
    seconds = floating->get();
  } else {
    wrong_type(node, what, "a number of seconds");
  }
  if (!std::isfinite(seconds) || seconds < 0 || (!allow_zero && seconds == 0)) {
    fail_at(node.source(),
            what + " must be a number of seconds, " + (allow_zero ? "0 or more" : "more than 0"));
  }
  if (seconds > k_max_seconds) {
    fail_at(node.source(), what + " is too large");
  }
  const auto ms = std::chrono::milliseconds(std::llround(seconds * 1000));
  if (!allow_zero && ms.count() == 0) {
    // 0.0001 s would become 0 ms, which the rule above refuses.
    fail_at(node.source(), what + " must be at least 0.001 seconds");
  }
  return ms;
}

std::vector<std::string> TomlReader::require_string_list(const toml::node& node,
                                                         const std::string& what,
                                                         bool single_allowed) const {
  if (single_allowed && node.is_string()) {
    return {require_nonempty_string(node, what)};
  }
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    wrong_type(node, what,
               single_allowed ? "a string or an array of strings" : "an array of strings");
  }
  if (array->empty()) {
    fail_at(node.source(), what + " must not be an empty array");
  }
  std::vector<std::string> items;
  for (std::size_t i = 0; i < array->size(); ++i) {
    items.push_back(require_nonempty_string(*array->get(i), what + "[" + std::to_string(i) + "]"));
  }
  return items;
}

}  // namespace llmgw::config_detail
