// `llmgw providers status`: the circuit breakers and rate-limited keys that earlier runs
// recorded in the state directory (resilience/health_file.hpp).
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/text_table.hpp"
#include "core/resilience/health_file.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_providers_footer =
    R"(Every request goes through a circuit breaker per deployment (provider, base URL and
key). After [breaker] failures consecutive failures (default 5), or a failure_ratio of the
requests in the window, it opens: for the cooldown (default 30 s) requests skip it without
touching the network (falling back to the next model when there is one). Then one probe
goes; its success closes the breaker. A key that got HTTP 429 rests for its Retry-After
while the provider's other keys carry on. Runs of llmgw share this state through
$XDG_STATE_HOME/llmgw/health.json.

Examples:
  llmgw providers status
  llmgw providers status --json | jq '.breakers[] | select(.state != "closed")')";

// The state as of now: an open breaker whose cooldown has passed lets a probe go.
std::string state_now(const SavedBreaker& breaker, std::int64_t now) {
  if (breaker.state == BreakerState::closed)
    return "closed";
  return breaker.open_until > now ? "open" : "half-open";
}

std::string seconds_text(std::int64_t seconds) {
  return std::to_string(seconds) + " s";
}

int run_status(Context& ctx, bool json) {
  const std::filesystem::path file = health_file_path(ctx.config().paths);
  const SavedHealth saved = read_health_file(file);
  const std::int64_t now = ctx.clock().unix_seconds();
  std::vector<SavedKey> resting;
  for (const SavedKey& key : saved.keys) {
    if (key.cooling_until > now)
      resting.push_back(key);
  }

  if (json) {
    nlohmann::json breakers = nlohmann::json::array();
    for (const SavedBreaker& b : saved.breakers) {
      const std::string state = state_now(b, now);
      breakers.push_back({{"provider", b.provider},
                          {"base_url", b.base_url},
                          {"key", b.key_hint},
                          {"state", state},
                          {"consecutive_failures", b.consecutive_failures},
                          {"times_opened", b.times_opened},
                          {"requests", b.requests},
                          {"failures", b.failures},
                          {"probe_in_seconds", state == "open" ? b.open_until - now : 0},
                          {"updated", b.updated}});
    }
    nlohmann::json keys = nlohmann::json::array();
    for (const SavedKey& k : resting) {
      keys.push_back({{"provider", k.provider},
                      {"base_url", k.base_url},
                      {"key", k.key_hint},
                      {"resting_seconds", k.cooling_until - now}});
    }
    ctx.io().out << nlohmann::json{{"state_file", file.string()},
                                   {"breakers", breakers},
                                   {"rate_limited_keys", keys}}
                        .dump(2)
                 << '\n';
    return 0;
  }

  std::ostream& out = ctx.io().out;
  if (saved.breakers.empty()) {
    out << "no provider has been used yet (state file: " << file.string() << ")\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"PROVIDER", "BASE URL", "KEY", "STATE", "FAILS IN A ROW", "REQUESTS", "FAILED", "PROBE IN"}};
  for (const SavedBreaker& b : saved.breakers) {
    const std::string state = state_now(b, now);
    rows.push_back({b.provider, b.base_url, b.key_hint.empty() ? "-" : b.key_hint, state,
                    std::to_string(b.consecutive_failures), std::to_string(b.requests),
                    std::to_string(b.failures),
                    state == "open" ? seconds_text(b.open_until - now) : "-"});
  }
  print_text_table(out, rows);
  for (const SavedKey& k : resting) {
    out << "rate-limited: " << k.provider << " key " << k.key_hint << " rests for "
        << seconds_text(k.cooling_until - now) << " more\n";
  }
  return 0;
}

}  // namespace

void register_providers(CLI::App& parent, Context& ctx) {
  CLI::App* providers = parent.add_subcommand(
      "providers", "Show the providers' health: circuit breakers and rate-limited keys");
  providers->require_subcommand(1);
  providers->footer(k_providers_footer);
  auto json = std::make_shared<bool>(false);
  CLI::App* status = providers->add_subcommand(
      "status", "Circuit breaker state, failures and requests per deployment, and resting keys");
  status->add_flag("--json", *json, "Print the state as JSON");
  status->footer(k_providers_footer);
  status->callback([&ctx, json] { ctx.exit_code = run_status(ctx, *json); });
}

}  // namespace llmgw::cli
