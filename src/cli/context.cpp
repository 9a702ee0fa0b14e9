#include "cli/context.hpp"

#include <random>

#include "cli/report.hpp"
#include "core/http/curl_transport.hpp"
#include "core/resilience/health_file.hpp"

namespace llmgw::cli {

const Config& Context::config(const std::optional<std::string>& model_flag) {
  if (!m_config) {
    ConfigFlags flags;
    flags.model = model_flag;
    flags.config_file = m_globals.config_file;
    flags.db_file = m_globals.db_file;
    m_config = std::make_unique<Config>(load_config(m_io.env, flags));
  }
  return *m_config;
}

KeyStore& Context::key_store() {
  if (!m_key_store)
    m_key_store = std::make_unique<KeyStore>(config().paths.keys_file);
  return *m_key_store;
}

const Credentials& Context::credentials() {
  if (!m_credentials) {
    KeyStore& store = key_store();
    store.load();  // surfaces a corrupt file now, and the permission check below
    if (!store.warning().empty() && !m_warned_keys) {
      m_warned_keys = true;
      print_warning(m_io, store.warning());
    }
    m_credentials = std::make_unique<Credentials>(store, m_io.env);
  }
  return *m_credentials;
}

DefaultModel Context::default_model() {
  const Config& cfg = config();
  if (cfg.default_model)
    return {cfg.default_model->value, cfg.default_model->source, false};
  const Credentials& creds = credentials();
  return choose_default_model(cfg, [&](const std::string& name) {
    return creds.find(effective_provider(name, cfg), std::nullopt).has_value();
  });
}

GatewayOptions Context::gateway_options() {
  GatewayOptions options;
  options.health = &health();
  options.ledger = [this](LedgerRow row) { ledger().add(std::move(row)); };
  options.source = "cli";
  return options;
}

Transport& Context::transport() {
  if (!m_transport)
    m_transport = std::make_unique<CurlTransport>();
  return *m_transport;
}

HealthRegistry& Context::health() {
  if (!m_health) {
    const Config& cfg = config();
    m_health = std::make_unique<HealthRegistry>(cfg.breaker.value, std::random_device{}());
    m_health->restore(read_health_file(health_file_path(cfg.paths)), m_clock.unix_seconds(),
                      m_clock.steady_now());
  }
  return *m_health;
}

void Context::save_health() {
  if (!m_health)
    return;
  const SavedHealth used = m_health->export_used(m_clock.unix_seconds(), m_clock.steady_now());
  if (used.breakers.empty() && used.keys.empty())
    return;
  try {
    save_health_file(health_file_path(config().paths), used, m_clock.unix_seconds());
  } catch (const GatewayError& e) {
    print_warning(m_io, "could not save provider health: " + e.error().message);
  } catch (const std::exception& e) {  // runs from a destructor: nothing may escape
    print_warning(m_io, std::string("could not save provider health: ") + e.what());
  }
}

LedgerWriter& Context::ledger() {
  if (!m_ledger) {
    m_ledger = std::make_unique<LedgerWriter>(config().paths.db_file, [this](const std::string& w) {
      std::lock_guard lock(m_ledger_warning_mutex);
      m_ledger_warning = w;
    });
  }
  return *m_ledger;
}

void Context::finish_ledger() {
  if (!m_ledger)
    return;
  m_ledger->flush();
  std::lock_guard lock(m_ledger_warning_mutex);
  if (!m_ledger_warning.empty())
    print_warning(m_io, m_ledger_warning);
}

}  // namespace llmgw::cli

namespace llmgw::cli {

ResponseCache& Context::cache() {
  if (!m_cache) {
    const Config& cfg = config();
    m_cache = std::make_unique<ResponseCache>(
        cfg.paths.db_file, cfg.cache.value,
        [this](const std::string& warning) { print_warning(m_io, warning); });
  }
  return *m_cache;
}

}  // namespace llmgw::cli
