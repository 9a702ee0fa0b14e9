#include "core/config/config_cache.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace llmgw::config_detail {

namespace {

constexpr std::array<std::string_view, 3> k_cache_keys = {"enabled", "ttl", "max_size_mb"};
// A cap far beyond any disk keeps the byte count far from overflow.
constexpr double k_max_size_mb = 1024.0 * 1024.0;  // 1 TiB

}  // namespace

void read_cache(const TomlReader& reader, const toml::node& node, Sourced<CacheSettings>& out) {
  CacheSettings settings = out.value;
  std::optional<std::size_t> first_line;
  for (const auto& [key, value] : reader.require_table(node, "cache")) {
    const std::string_view name = key.str();
    const std::string what = "cache." + std::string(name);
    if (name == "enabled") {
      settings.enabled = reader.require_bool(value, what);
    } else if (name == "ttl") {
      settings.ttl = std::chrono::duration_cast<std::chrono::seconds>(
          reader.require_seconds(value, what, false));
      if (settings.ttl.count() < 1)
        reader.fail_at(value.source(), what + " must be at least 1 second");
    } else if (name == "max_size_mb") {
      const double megabytes = reader.require_number(value, what);
      if (!(megabytes > 0) || megabytes > k_max_size_mb)
        reader.fail_at(value.source(), what + " must be more than 0 and at most 1048576 (1 TiB)");
      settings.max_bytes = static_cast<std::int64_t>(std::llround(megabytes * 1024 * 1024));
    } else {
      reader.unknown_key(key, "[cache]", k_cache_keys);
    }
    const std::size_t line = value.source().begin.line;
    first_line = std::min(first_line.value_or(line), line);
  }
  if (first_line)
    out = Sourced<CacheSettings>{settings, reader.source_line(*first_line)};
}

}  // namespace llmgw::config_detail
