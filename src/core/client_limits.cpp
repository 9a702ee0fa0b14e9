#include "core/client_limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <utility>

#include "core/error.hpp"
#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "core/time_text.hpp"

namespace llmgw {

namespace {

constexpr double k_nano_per_usd = 1e9;

std::int64_t to_nano(double usd) {
  if (!std::isfinite(usd) || usd <= 0)
    return 0;
  // Far beyond any budget; keeps llround defined.
  return std::llround(std::min(usd, 1e9) * k_nano_per_usd);
}

double to_usd(std::int64_t nano) {
  return static_cast<double>(nano) / k_nano_per_usd;
}

std::string usd_text(double usd) {
  char buffer[48];
  // Cents hide what small requests cost; four places show them and stay readable.
  std::snprintf(buffer, sizeof buffer, usd >= 100 ? "$%.2f" : "$%.4f", usd);
  return buffer;
}

// Local midnight starting the day (or the month) that holds `ms`, and the next one.
std::pair<std::int64_t, std::int64_t> local_period(std::int64_t ms, BudgetPeriod period) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  if (period == BudgetPeriod::month)
    tm.tm_mday = 1;
  tm.tm_isdst = -1;
  std::tm next = tm;
  const std::time_t start = std::mktime(&tm);
  if (period == BudgetPeriod::month)
    ++next.tm_mon;
  else
    ++next.tm_mday;
  next.tm_isdst = -1;
  const std::time_t end = std::mktime(&next);
  return {static_cast<std::int64_t>(start) * 1000, static_cast<std::int64_t>(end) * 1000};
}

const char* period_phrase(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::day:
      return "today";
    case BudgetPeriod::month:
      return "this month";
    case BudgetPeriod::total:
      return "in total";
  }
  return "in total";
}

std::int64_t steady_ms(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             clock.steady_now().time_since_epoch())
      .count();
}

[[noreturn]] void rate_limited(const ClientKey& key, const char* type, const std::string& what,
                               std::int64_t wait_ms) {
  const std::int64_t seconds = std::max<std::int64_t>(1, (wait_ms + 999) / 1000);
  Error error = make_error(
      ErrorKind::rate_limited,
      "the client key '" + key.name + "' is over its limit of " + what + "; try again in " +
          std::to_string(seconds) + " s",
      "wait for Retry-After, or give the app a key with a higher limit (`llmgw keys revoke " +
          key.name + "`, then `llmgw keys create " + key.name + " --rpm … --tpm …`)");
  error.type = type;
  error.retry_after = static_cast<double>(seconds);
  throw GatewayError(std::move(error));
}

}  // namespace

BudgetWindow budget_window(const ClientKey& key, std::int64_t now_ms) {
  if (key.budget_period == BudgetPeriod::total)
    return BudgetWindow{key.created_ms, std::nullopt};
  const auto [start, end] = local_period(now_ms, key.budget_period);
  return BudgetWindow{std::max(start, key.created_ms), end};
}

// One key's counts. Every field is guarded by `mutex`.
struct ClientLimiter::KeyState {
  std::mutex mutex;
  std::deque<std::int64_t> requests;                         // steady ms of admissions
  std::deque<std::pair<std::int64_t, std::int64_t>> tokens;  // (steady ms, tokens) settled
  std::int64_t tokens_in_window = 0;
  bool loaded = false;  // the window's spend has been read from the ledger
  BudgetWindow window;
  std::int64_t spent_nano = 0;
  std::int64_t reserved_nano = 0;

  // Forgets what left the minute window ending at `now` (steady ms).
  void prune(std::int64_t now) {
    while (!requests.empty() && requests.front() <= now - k_rate_window_ms)
      requests.pop_front();
    while (!tokens.empty() && tokens.front().first <= now - k_rate_window_ms) {
      tokens_in_window -= tokens.front().second;
      tokens.pop_front();
    }
  }
};

ClientLimiter::Admission::Admission(Admission&& other) noexcept
    : m_state(std::exchange(other.m_state, nullptr)),
      m_reserved_nano(std::exchange(other.m_reserved_nano, 0)) {}

ClientLimiter::Admission& ClientLimiter::Admission::operator=(Admission&& other) noexcept {
  if (this != &other) {
    release();
    m_state = std::exchange(other.m_state, nullptr);
    m_reserved_nano = std::exchange(other.m_reserved_nano, 0);
  }
  return *this;
}

ClientLimiter::Admission::~Admission() {
  release();
}

double ClientLimiter::Admission::reserved_usd() const {
  return to_usd(m_reserved_nano);
}

void ClientLimiter::Admission::release() {
  if (m_state == nullptr)
    return;
  {
    std::lock_guard lock(m_state->mutex);
    m_state->reserved_nano -= m_reserved_nano;
  }
  m_state = nullptr;
  m_reserved_nano = 0;
}

ClientLimiter::ClientLimiter(Clock& clock, SpendSince spend_since)
    : m_clock(clock), m_spend_since(std::move(spend_since)) {}

ClientLimiter::~ClientLimiter() = default;

ClientLimiter::KeyState& ClientLimiter::state_for(const ClientKey& key) {
  return m_states.get(key.id, [] { return std::make_unique<KeyState>(); });
}

// Call with state.mutex held. Reads the spend when the key is first seen or the window
// has ended; reservations of requests still running carry over into the new window.
void ClientLimiter::roll_period(KeyState& state, const ClientKey& key) {
  const std::int64_t now_ms = m_clock.unix_milliseconds();
  if (state.loaded && (!state.window.end_ms || now_ms < *state.window.end_ms))
    return;
  const BudgetWindow window = budget_window(key, now_ms);
  const double spent = m_spend_since ? m_spend_since(key.name, window.start_ms) : 0;
  state.window = window;
  state.spent_nano = to_nano(spent);
  state.loaded = true;
}

ClientLimiter::Admission ClientLimiter::admit(const ClientKey& key, double max_cost_usd) {
  KeyState& state = state_for(key);
  const std::int64_t now = steady_ms(m_clock);
  const std::int64_t cost_nano = to_nano(max_cost_usd);
  std::lock_guard lock(state.mutex);
  state.prune(now);
  if (key.rpm && static_cast<std::int64_t>(state.requests.size()) >= *key.rpm) {
    // Admitted again once enough of the oldest requests have left the window.
    const std::int64_t leaving = state.requests[state.requests.size() - *key.rpm];
    rate_limited(key, "requests", std::to_string(*key.rpm) + " requests per minute",
                 leaving + k_rate_window_ms - now);
  }
  if (key.tpm && state.tokens_in_window >= *key.tpm) {
    std::int64_t left = state.tokens_in_window;
    std::int64_t leaving = now;
    for (const auto& [at, count] : state.tokens) {
      left -= count;
      leaving = at;
      if (left < *key.tpm)
        break;
    }
    rate_limited(key, "tokens", std::to_string(*key.tpm) + " tokens per minute",
                 leaving + k_rate_window_ms - now);
  }
  roll_period(state, key);
  if (key.budget_usd) {
    const std::int64_t budget = to_nano(*key.budget_usd);
    if (state.spent_nano + state.reserved_nano + cost_nano > budget) {
      const std::string when =
          state.window.end_ms ? "; it starts again on " + local_minute_text(*state.window.end_ms)
                              : "";
      fail(ErrorKind::quota,
           "the budget of " + usd_text(*key.budget_usd) + " " + period_phrase(key.budget_period) +
               " of the client key '" + key.name +
               "' is spent: " + usd_text(to_usd(state.spent_nano)) + " used, " +
               usd_text(to_usd(state.reserved_nano)) +
               " in flight, and this request may cost up to " + usd_text(max_cost_usd) + when,
           "raise it: `llmgw keys revoke " + key.name + "`, then `llmgw keys create " + key.name +
               " --budget …` (give the app the new key)");
    }
  }
  state.requests.push_back(now);
  state.reserved_nano += cost_nano;
  return Admission(&state, cost_nano);
}

void ClientLimiter::settle(Admission&& admission, std::int64_t tokens,
                           std::optional<double> cost_usd) {
  Admission done = std::move(admission);
  KeyState* state = std::exchange(done.m_state, nullptr);
  if (state == nullptr)
    return;
  const std::int64_t now = steady_ms(m_clock);
  std::lock_guard lock(state->mutex);
  state->reserved_nano -= done.m_reserved_nano;
  state->spent_nano += to_nano(cost_usd.value_or(0));
  if (tokens > 0) {
    state->tokens.emplace_back(now, tokens);
    state->tokens_in_window += tokens;
  }
}

KeyUsage ClientLimiter::usage(const ClientKey& key) {
  KeyState& state = state_for(key);
  const std::int64_t now = steady_ms(m_clock);
  std::lock_guard lock(state.mutex);
  state.prune(now);
  roll_period(state, key);
  KeyUsage usage;
  usage.period = key.budget_period;
  usage.window = state.window;
  usage.budget_usd = key.budget_usd;
  usage.spent_usd = to_usd(state.spent_nano);
  usage.reserved_usd = to_usd(state.reserved_nano);
  if (key.budget_usd)
    usage.remaining_usd = to_usd(std::max<std::int64_t>(
        0, to_nano(*key.budget_usd) - state.spent_nano - state.reserved_nano));
  usage.requests_last_minute = static_cast<std::int64_t>(state.requests.size());
  usage.tokens_last_minute = state.tokens_in_window;
  usage.rpm = key.rpm;
  usage.tpm = key.tpm;
  return usage;
}

ClientLimiter::SpendSince spend_from_ledger(std::filesystem::path db_file) {
  return [db_file = std::move(db_file)](const std::string& key_name, std::int64_t since_ms) {
    Database db = open_migrated(db_file);
    return client_spend_usd(db, key_name, since_ms);
  };
}

}  // namespace llmgw
