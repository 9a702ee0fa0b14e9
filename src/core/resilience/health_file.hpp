// $XDG_STATE_HOME/llmgw/health.json: what the breakers and rate-limited keys of earlier
// processes learnt, so that a CLI run after one that saw a provider fail goes straight to
// its fallback (and waits out a 429's Retry-After), and `llmgw providers status` can show
// it. Hints, not records: a missing or unreadable file reads as empty and is replaced on
// the next save. Keys appear only as fingerprints and last-4 hints.
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/config/paths.hpp"
#include "core/resilience/health.hpp"

namespace llmgw {

std::filesystem::path health_file_path(const Paths& paths);

SavedHealth read_health_file(const std::filesystem::path& file);

// Merges `used` into the file under an exclusive lock (flock on "<file>.lock"), so that
// processes ending together keep each other's entries: per deployment or key the newer
// `updated` wins, and entries not updated for k_health_ttl_seconds are dropped. Written
// atomically, mode 0600. Throws GatewayError{io} when the file cannot be written.
void save_health_file(const std::filesystem::path& file, const SavedHealth& used,
                      std::int64_t now_unix);

inline constexpr std::int64_t k_health_ttl_seconds = 7 * 24 * 3600;

}  // namespace llmgw
