// What the response cache did for one request, as the metrics and the request log show it.
#pragma once

namespace llmgw::daemon {

enum class CacheOutcome {
  none,  // the request could not be cached (not a chat, bypassed, or not deterministic)
  hit,
  miss,
};

inline const char* to_string(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::hit:
      return "hit";
    case CacheOutcome::miss:
      return "miss";
    case CacheOutcome::none:
      break;
  }
  return "none";
}

}  // namespace llmgw::daemon
