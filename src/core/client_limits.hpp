// The limits of `llmgw serve`'s client keys (store/client_keys.hpp): requests and tokens
// per minute, and a budget per day, month or in total.
//
// ClientLimiter is thread-safe: each key has its own lock (keys are found in a sharded
// map), so requests of different keys never wait for each other. It keeps its counts in
// memory, per process; time comes from the injected Clock (steady time for the minute
// windows, wall time for the budget periods), so tests never sleep.
//
// Rate limits slide over the last 60 s exactly (a log of the minute's requests and settled
// token counts). A request is refused while the key's requests in the window are >= rpm,
// or while the tokens settled in the window are >= tpm: a request's tokens are known only
// when it ends, so tpm lets a request start while the minute has room and counts its real
// usage when it is settled. A refusal is GatewayError{rate_limited} (429, type "requests"
// or "tokens" as OpenAI's) with retry_after the whole seconds (>= 1) until the request
// would be admitted.
//
// Budgets never overspend, whatever the concurrency: admission reserves the request's
// maximum cost (an upper bound: max_chat_cost_usd in cost_estimate.hpp) and is refused
// when spent + reserved + this maximum > budget, with GatewayError{quota} (429
// insufficient_quota); settlement swaps the reservation for the real cost, and an
// Admission dropped without settling (the request failed) gives its reservation back. A
// model without a known price reserves $0 and is charged $0: the ledger has no cost for
// it either, and refusing every unpriced request would make a budget forbid free local
// models. Money is counted in whole nano-dollars, so sums are exact.
//
// A period's spend starts from the ledger (client_spend_usd, through the SpendSince
// callback) the first time a key is seen and when a new period starts; after that this
// process counts it. Spend by another process with the same key is not seen until then.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/sharded_map.hpp"
#include "core/store/client_keys.hpp"

namespace llmgw {

// The requests of the last this-long count toward rpm and tpm.
inline constexpr std::int64_t k_rate_window_ms = 60'000;

// The stretch of time a key's budget counts, in unix ms: the local day or month holding
// `now_ms`, or everything since the key was created; never before the key was created
// (a revoked key's name given again does not inherit its spend).
struct BudgetWindow {
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;  // exclusive; none for `total`
};
BudgetWindow budget_window(const ClientKey& key, std::int64_t now_ms);

// What /v1/usage shows a key.
struct KeyUsage {
  BudgetPeriod period = BudgetPeriod::month;
  BudgetWindow window;
  std::optional<double> budget_usd;
  double spent_usd = 0;                 // settled in this window (with the ledger's start)
  double reserved_usd = 0;              // the maxima of requests still running
  std::optional<double> remaining_usd;  // budget - spent - reserved, never below 0
  std::int64_t requests_last_minute = 0;
  std::int64_t tokens_last_minute = 0;
  std::optional<std::int64_t> rpm;
  std::optional<std::int64_t> tpm;
};

class ClientLimiter {
 public:
  // What the key named `key_name` spent in requests started at or after `since_ms`
  // (client_spend_usd over the daemon's database; a stub in tests). May throw.
  using SpendSince = std::function<double(const std::string& key_name, std::int64_t since_ms)>;

 private:
  struct KeyState;

 public:
  // A request let in by admit(): hand it to settle() when it ends. Dropping it unsettled
  // (the request failed) gives its reservation back. Move-only; must not outlive the
  // ClientLimiter.
  class Admission {
   public:
    Admission() = default;
    Admission(Admission&& other) noexcept;
    Admission& operator=(Admission&& other) noexcept;
    Admission(const Admission&) = delete;
    Admission& operator=(const Admission&) = delete;
    ~Admission();

    double reserved_usd() const;
    explicit operator bool() const { return m_state != nullptr; }

   private:
    friend class ClientLimiter;
    Admission(KeyState* state, std::int64_t reserved_nano)
        : m_state(state), m_reserved_nano(reserved_nano) {}
    void release();

    KeyState* m_state = nullptr;
    std::int64_t m_reserved_nano = 0;
  };

  ClientLimiter(Clock& clock, SpendSince spend_since);
  ~ClientLimiter();
  ClientLimiter(const ClientLimiter&) = delete;
  ClientLimiter& operator=(const ClientLimiter&) = delete;

  // Lets a request of `key` in, counting it toward rpm and reserving `max_cost_usd` (0
  // for an unpriced model; negative counts as 0), or throws GatewayError rate_limited or
  // quota (see the top of this file) without counting anything. Throws what SpendSince
  // throws when the period's spend must be read.
  Admission admit(const ClientKey& key, double max_cost_usd);

  // Ends an admitted request: `tokens` (its total usage) count toward tpm from now, and
  // `cost_usd` (nullopt: unpriced, $0) replaces its reservation. Never throws.
  void settle(Admission&& admission, std::int64_t tokens, std::optional<double> cost_usd);

  KeyUsage usage(const ClientKey& key);

 private:
  KeyState& state_for(const ClientKey& key);
  void roll_period(KeyState& state, const ClientKey& key);

  Clock& m_clock;
  SpendSince m_spend_since;
  ShardedMap<KeyState> m_states;  // by key id: a name given again is a new key
};

// The SpendSince of the daemon: client_spend_usd over the database at `db_file`, through
// a connection opened for each question (asked once per key and period, so none is kept).
ClientLimiter::SpendSince spend_from_ledger(std::filesystem::path db_file);

}  // namespace llmgw
