#include "cli/context.hpp"

#include "cli/report.hpp"
#include "core/http/curl_transport.hpp"

namespace llmgw::cli {

const Config& Context::config(const std::optional<std::string>& model_flag) {
  if (!m_config) {
    ConfigFlags flags;
    flags.model = model_flag;
    flags.config_file = m_globals.config_file;
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

Transport& Context::transport() {
  if (!m_transport)
    m_transport = std::make_unique<CurlTransport>();
  return *m_transport;
}

}  // namespace llmgw::cli
