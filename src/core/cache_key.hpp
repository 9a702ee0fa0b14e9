// Which chat requests the response cache (store/response_cache.hpp) answers, and under
// which key. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace llmgw {

enum class CacheMode {
  automatic,  // look up and store deterministic requests only (is_deterministic)
  force,      // look up and store whatever the sampling settings
  bypass,     // neither look up nor store
  refresh,    // do not look up; store the fresh answer (when it would be cached)
};

std::string_view to_string(CacheMode mode);
// "auto", "force", "bypass", "refresh" (the daemon's x-llmgw-cache header); else nullopt.
std::optional<CacheMode> parse_cache_mode(std::string_view text);

// temperature 0, or a seed: the same request is expected to get the same answer.
bool is_deterministic(const nlohmann::json& request);

// Whether `mode` lets the cache answer `request`, and store the answer it gets.
bool cache_may_answer(CacheMode mode, const nlohmann::json& request);
bool cache_may_store(CacheMode mode, const nlohmann::json& request);

// The lowercase hex SHA-256 of the canonical form of a chat request: every field that
// shapes the answer (model as the caller wrote it, messages, tools, tool_choice,
// temperature, top_p, max_tokens, stop, response_format, seed, n and any other field),
// without those that never do (stream, stream_options, user, metadata, store). Key order
// and whitespace never matter; numbers compare by value (0 and 0.0 are one key); a null
// field is an absent one; max_completion_tokens is max_tokens; n = 1 is no n.
std::string request_hash(const nlohmann::json& request);

}  // namespace llmgw
