// What every part of the config.toml reader shares: errors that name file:line, type
// checks whose message names the TOML type found, and unknown keys answered with the
// closest valid one. Internal to core/config.
#pragma once

#include <toml++/toml.h>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmgw::config_detail {

inline constexpr std::string_view k_parse_fix =
    "fix the file or move it aside; `llmgw config path` shows where it is";

// Longer than any sane timeout or delay; also keeps seconds * 1000 far from overflowing.
inline constexpr double k_max_seconds = 1e9;

std::string join(std::span<const std::string_view> items, std::string_view separator);
std::string join(const std::vector<std::string>& items, std::string_view separator);

// The valid key closest to a typo, when it is close enough to be the likely intent.
std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> valid);

class TomlReader {
 public:
  explicit TomlReader(std::string path) : m_path(std::move(path)) {}

  const std::string& path() const { return m_path; }

  // "file <path>:<line>", the provenance recorded in Sourced values.
  std::string source(const toml::node& node) const { return source_line(node.source()); }
  std::string source_line(const toml::source_region& region) const;
  std::string source_line(std::size_t line) const;

  [[noreturn]] void fail_at(const toml::source_region& region, const std::string& message,
                            std::string fix = std::string(k_parse_fix)) const;
  [[noreturn]] void wrong_type(const toml::node& node, std::string_view what,
                               std::string_view expected) const;
  // "unknown key 'x' in [table] (did you mean 'y'?)"; `table` empty for the top level.
  // `fix` empty: "valid <table> keys are ...".
  [[noreturn]] void unknown_key(const toml::key& key, std::string_view table,
                                std::span<const std::string_view> valid,
                                std::string fix = {}) const;

  const toml::table& require_table(const toml::node& node, std::string_view what) const;
  std::string require_nonempty_string(const toml::node& node, std::string_view what) const;
  // An integer in [min, max]; the range error says "must be from <min> to <max>", or
  // "must be <min> or more" when max is the default.
  long long require_integer(const toml::node& node, const std::string& what, long long min,
                            long long max = k_no_max) const;
  // true or false.
  bool require_bool(const toml::node& node, const std::string& what) const;
  // A finite integer or floating-point number.
  double require_number(const toml::node& node, const std::string& what) const;
  // Seconds as an integer or a fraction, to milliseconds: 0 or more, or more than 0 when
  // `allow_zero` is false; at most k_max_seconds.
  std::chrono::milliseconds require_seconds(const toml::node& node, const std::string& what,
                                            bool allow_zero) const;
  // A non-empty array of non-empty strings ("what[i]" names a bad item), or, when
  // `single_allowed`, one string standing for a list of one.
  std::vector<std::string> require_string_list(const toml::node& node, const std::string& what,
                                               bool single_allowed) const;

  static constexpr long long k_no_max = 1'000'000'000;

 private:
  std::string m_path;
};

}  // namespace llmgw::config_detail
