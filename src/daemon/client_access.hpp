// Who is calling the daemon, and what they may still do: client keys
// (core/client_auth.hpp) and their limits (core/client_limits.hpp), as the daemon applies
// them. A key is required from every client once any client key exists (or with
// --require-key); until then the daemon is open to this machine, as a localhost tool.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>

#include <httplib.h>

#include "core/client_auth.hpp"
#include "core/client_limits.hpp"
#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/store/ledger.hpp"

namespace llmgw::daemon {

class ClientAccess {
 public:
  ClientAccess(const Config& config, Clock& clock, bool require_key);

  // Whether a client key is needed now.
  bool required();

  // The caller's key, from "Authorization: Bearer <key>" or "x-api-key: <key>"; nullopt
  // when none is required. Throws GatewayError{unauthorized} for a missing, unknown,
  // expired or revoked key.
  std::optional<ClientKey> identify(const httplib::Request& req);

  // Checks every model of `models` (the request's comma-separated "model") against the
  // key's allow-list (forbidden), then admits the request under its rate limits and
  // budget, reserving `max_cost_usd` (rate_limited, quota).
  ClientLimiter::Admission admit(const ClientKey& key, const std::string& models,
                                 double max_cost_usd);

  // Ends an admitted request with what its ledger row says it used and cost.
  void settle(ClientLimiter::Admission&& admission, const LedgerRow& row);

  KeyUsage usage(const ClientKey& key) { return m_limiter.usage(key); }

 private:
  const std::filesystem::path m_db_file;
  Clock& m_clock;
  const bool m_require_key;
  std::atomic<bool> m_db_seen{false};
  ClientKeyDirectory m_directory;
  ClientLimiter m_limiter;
};

}  // namespace llmgw::daemon
