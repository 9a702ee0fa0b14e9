#include "daemon/client_access.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/error.hpp"

namespace llmgw::daemon {

namespace {

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos)
    return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The token after "Bearer " (any case), else x-api-key (Anthropic's SDKs), else "".
std::string presented_token(const httplib::Request& req) {
  const std::string authorization = trimmed(req.get_header_value("Authorization"));
  if (authorization.size() > 7) {
    std::string scheme = authorization.substr(0, 7);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "bearer ")
      return trimmed(authorization.substr(7));
  }
  return trimmed(req.get_header_value("x-api-key"));
}

}  // namespace

ClientAccess::ClientAccess(const Config& config, Clock& clock, bool require_key)
    : m_db_file(config.paths.db_file),
      m_clock(clock),
      m_require_key(require_key),
      m_directory(config.paths.db_file, clock),
      m_limiter(clock, spend_from_ledger(config.paths.db_file)) {}

bool ClientAccess::required() {
  if (m_require_key)
    return true;
  // No database file, no client key: asking the directory would create the file, and a
  // database that cannot be created (a read-only location) must not fail every request.
  // Once the file exists (a key may be made in it any time) the directory decides, and a
  // damaged database fails closed.
  if (!m_db_seen.load(std::memory_order_relaxed)) {
    std::error_code error;
    if (!std::filesystem::exists(m_db_file, error))
      return false;
    m_db_seen.store(true, std::memory_order_relaxed);
  }
  return m_directory.any_client_keys();
}

std::optional<ClientKey> ClientAccess::identify(const httplib::Request& req) {
  if (!required())
    return std::nullopt;
  return m_directory.authenticate(presented_token(req), m_clock.unix_milliseconds());
}

ClientLimiter::Admission ClientAccess::admit(const ClientKey& key, const std::string& models,
                                             double max_cost_usd) {
  std::size_t start = 0;
  while (start <= models.size()) {
    const std::size_t comma = std::min(models.find(',', start), models.size());
    const std::string model = trimmed(models.substr(start, comma - start));
    if (!model.empty())
      require_model_allowed(key, model);
    start = comma + 1;
  }
  return m_limiter.admit(key, max_cost_usd);
}

void ClientAccess::settle(ClientLimiter::Admission&& admission, const LedgerRow& row) {
  m_limiter.settle(std::move(admission), row.input_tokens + row.output_tokens, row.cost_usd);
}

}  // namespace llmgw::daemon
