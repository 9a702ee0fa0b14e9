// What every subcommand shares: the I/O, global options, and lazily built core
// services. Nothing here touches the disk or network until a command asks, which keeps
// `llmgw --version` and `--help` at process-start cost.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/io.hpp"
#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/config/key_store.hpp"
#include "core/gateway.hpp"
#include "core/http/transport.hpp"
#include "core/resilience/health.hpp"
#include "core/routing.hpp"
#include "core/store/ledger_writer.hpp"
#include "core/store/response_cache.hpp"

namespace llmgw::cli {

struct GlobalOptions {
  std::optional<std::string> config_file;  // --config
  std::optional<std::string> db_file;      // --db
};

class Context {
 public:
  explicit Context(Io& io) : m_io(io) {}

  Io& io() { return m_io; }
  GlobalOptions& globals() { return m_globals; }

  // Loads config once, with the given model flag as the flag layer.
  const Config& config(const std::optional<std::string>& model_flag = std::nullopt);
  // The keys file; warns once on stderr when its permissions are unsafe.
  KeyStore& key_store();
  const Credentials& credentials();
  Transport& transport();
  // The model to use when none is named: config/env/flag default_model, else the
  // default model of the first provider with a key, else mock/echo (mock_fallback).
  DefaultModel default_model();
  // This run's breakers and key pools, started from what earlier runs saved in the state
  // directory (resilience/health_file.hpp), so a provider that kept failing a moment ago
  // is skipped without a request.
  HealthRegistry& health();
  // Saves what this run learnt, if it sent anything; a failure to save is a warning, never
  // the run's failure. Called once, after the command, whether it succeeded or not.
  void save_health();

  // This run's ledger writer (store/ledger_writer.hpp), writing to config().paths.db_file;
  // built on first use, so commands that record nothing open no database.
  LedgerWriter& ledger();
  // Writes every queued ledger row and prints, once, why rows could not be recorded.
  // Called after the command, like save_health().
  void finish_ledger();

  // This run's response cache (store/response_cache.hpp) in config().paths.db_file, with
  // config().cache's settings; built on first use. A cache that cannot be used warns once
  // on stderr and misses.
  ResponseCache& cache();

  // What every command's Gateway is built with: this run's health() and ledger(), and
  // source "cli". No cache: a command that uses one sets it.
  GatewayOptions gateway_options();

  Clock& clock() { return m_clock; }
  CancelToken& cancel_token() { return m_cancel; }

  int exit_code = 0;

 private:
  Io& m_io;
  GlobalOptions m_globals;
  std::unique_ptr<Config> m_config;
  std::unique_ptr<KeyStore> m_key_store;
  std::unique_ptr<Credentials> m_credentials;
  std::unique_ptr<Transport> m_transport;
  std::unique_ptr<HealthRegistry> m_health;
  std::mutex m_ledger_warning_mutex;
  std::string m_ledger_warning;  // set on the writer's thread, printed by finish_ledger
  // After the two above: destroyed first, so its thread never outlives what it writes to.
  std::unique_ptr<LedgerWriter> m_ledger;
  std::unique_ptr<ResponseCache> m_cache;
  SystemClock m_clock;
  CancelToken m_cancel;
  bool m_warned_keys = false;
};

}  // namespace llmgw::cli
