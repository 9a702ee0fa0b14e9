#include "daemon/request_record.hpp"

namespace llmgw::daemon {

void RequestRecord::note_answer(const LedgerRow& row, const std::vector<AttemptRecord>& attempts,
                                const Route& route, bool cache_hit) {
  entry.provider = route.provider.name;
  entry.model_served = row.model_served.value_or(route.model);
  entry.attempts = row.attempts;
  entry.input_tokens = row.input_tokens;
  entry.output_tokens = row.output_tokens;
  entry.cached_tokens = row.cached_input_tokens;
  entry.cost_usd = row.cost_usd;
  entry.cache = cache_hit ? CacheOutcome::hit : CacheOutcome::miss;
  cache_write_tokens = row.cache_write_tokens;
  reasoning_tokens = row.reasoning_tokens;
  std::chrono::microseconds upstream{0};
  for (const AttemptRecord& attempt : attempts) {
    if (attempt.sent)
      upstream += attempt.took;
  }
  upstream_seconds = static_cast<double>(upstream.count()) / 1e6;
}

}  // namespace llmgw::daemon
