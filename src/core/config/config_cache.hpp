// [cache] in config.toml: the response cache's settings (store/response_cache.hpp).
// Internal to core/config; config.cpp calls it while it walks the document.
#pragma once

#include "core/config/config.hpp"
#include "core/config/toml_reader.hpp"

namespace llmgw::config_detail {

// enabled (bool), ttl (seconds, > 0), max_size_mb (MiB, > 0; may be fractional). The
// source is the line of the first key set; an empty table keeps the defaults.
void read_cache(const TomlReader& reader, const toml::node& node, Sourced<CacheSettings>& out);

}  // namespace llmgw::config_detail
