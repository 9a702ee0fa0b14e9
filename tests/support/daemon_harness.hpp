// A daemon (`llmgw serve`'s server) running in-process on port 0 in front of a fake
// OpenAI upstream, with a fresh HOME (config, keys file, database), and an HTTP client
// for it. Retries are off (single_attempt) unless a test changes the config first.
#pragma once

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <httplib.h>

#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/config/key_store.hpp"
#include "core/http/curl_transport.hpp"
#include "daemon/daemon.hpp"
#include "support/fake_openai.hpp"
#include "support/single_attempt.hpp"
#include "support/temp_dir.hpp"

namespace llmgw::test {

class DaemonHarness {
 public:
  static constexpr const char* k_provider_key = "sk-daemon-test-provider-key-9876";

  enum class Start { now, by_test };  // by_test: bound, but run() is the test's to call

  // `adjust` may change the config and the daemon's options before it starts.
  explicit DaemonHarness(std::function<void(Config&, daemon::DaemonOptions&)> adjust = {},
                         Start start = Start::now)
      : m_env(fixed_env({{"HOME", m_home.path().string()},
                         {"OPENAI_BASE_URL", upstream.base_url() + "/v1"},
                         {"OPENAI_API_KEY", k_provider_key}})),
        config(single_attempt(load_config(m_env, {}))),
        m_keys(config.paths.keys_file),
        m_credentials(m_keys, m_env) {
    daemon::DaemonOptions options;
    options.port = 0;
    options.log = &log;
    options.shutdown_grace = std::chrono::milliseconds(2000);
    options.keep_alive_timeout = std::chrono::seconds(1);
    if (adjust)
      adjust(config, options);
    server = std::make_unique<daemon::Daemon>(config, m_transport, m_credentials, m_clock, options);
    port = server->bind();
    if (start == Start::now)
      m_thread = std::thread([this] { server->run(); });
  }
  ~DaemonHarness() { stop(); }
  DaemonHarness(const DaemonHarness&) = delete;
  DaemonHarness& operator=(const DaemonHarness&) = delete;

  // Stops the daemon and waits until run() has returned (ledger flushed).
  void stop() {
    if (!m_thread.joinable())
      return;
    server->stop();
    m_thread.join();
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c;
  }
  std::filesystem::path home() const { return m_home.path(); }

  FakeOpenAI upstream;

 private:
  TempDir m_home;
  EnvLookup m_env;

 public:
  Config config;
  std::ostringstream log;  // the daemon's warnings; read it only after stop()

 private:
  KeyStore m_keys;
  Credentials m_credentials;
  CurlTransport m_transport;
  SystemClock m_clock;

 public:
  std::unique_ptr<daemon::Daemon> server;  // after what it uses, so it goes first
  int port = 0;

 private:
  std::thread m_thread;
};

}  // namespace llmgw::test
