// The daemon with client keys: authentication (Bearer or x-api-key; missing, wrong,
// expired, revoked), model allow-lists, requests per minute with Retry-After, a budget
// that concurrent requests cannot overspend, and the key's own /v1/usage.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/store/client_keys.hpp"
#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/daemon_harness.hpp"

using llmgw::ClientKeySpec;
using llmgw::test::DaemonHarness;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Keys made in the daemon's database before it starts; `texts` gets each key's text.
struct Keys {
  std::vector<std::string> texts;
  void add(const llmgw::Config& config, ClientKeySpec spec, std::int64_t created_ms = now_ms()) {
    llmgw::Database db = llmgw::open_migrated(config.paths.db_file);
    texts.push_back(llmgw::create_client_key(db, spec, created_ms).text);
  }
};

ClientKeySpec spec(const std::string& name) {
  ClientKeySpec s;
  s.name = name;
  return s;
}

std::string chat(const std::string& model = "gpt-4o-mini", const std::string& text = "hi") {
  return json{{"model", model}, {"messages", {{{"role", "user"}, {"content", text}}}}}.dump();
}

httplib::Result post(const DaemonHarness& d, const std::string& body, httplib::Headers headers) {
  return d.client().Post("/v1/chat/completions", headers, body, "application/json");
}

httplib::Headers bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

}  // namespace

TEST_CASE("daemon keys: without client keys the daemon is open; with one, every client needs it",
          "[daemon][keys]") {
  {
    DaemonHarness open;
    const auto res = post(open, chat("mock/echo"), {});
    REQUIRE(res);
    CHECK(res->status == 200);
  }
  Keys keys;
  DaemonHarness d([&](llmgw::Config& config, llmgw::daemon::DaemonOptions&) {
    keys.add(config, spec("app"));
    ClientKeySpec revoked = spec("old");
    keys.add(config, revoked);
    llmgw::Database db = llmgw::open_migrated(config.paths.db_file);
    llmgw::revoke_client_key(db, "old", now_ms());
    ClientKeySpec expiring = spec("temp");
    expiring.expires_ms = now_ms() - 60'000;
    keys.add(config, expiring, now_ms() - 120'000);
  });
  const std::string& app = keys.texts[0];

  const auto anonymous = post(d, chat("mock/echo"), {});
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  const json error = json::parse(anonymous->body)["error"];
  CHECK(error["code"] == "invalid_api_key");
  CHECK(error["message"].get<std::string>().find("llmgw keys create") != std::string::npos);

  const std::string wrong =
      app.substr(0, app.size() - 4) + (app.substr(app.size() - 4) == "0000" ? "1111" : "0000");
  const auto forged = post(d, chat("mock/echo"), bearer(wrong));
  CHECK(forged->status == 401);
  CHECK(forged->body.find(wrong) == std::string::npos);  // never echoes the secret
  CHECK(post(d, chat("mock/echo"), bearer(keys.texts[1]))->status == 401);  // revoked
  const auto expired = post(d, chat("mock/echo"), bearer(keys.texts[2]));
  CHECK(expired->status == 401);
  CHECK(json::parse(expired->body)["error"]["message"].get<std::string>().find("expired") !=
        std::string::npos);
  CHECK(d.client().Get("/v1/models")->status == 401);

  const auto with_bearer = post(d, chat("mock/echo"), bearer(app));
  REQUIRE(with_bearer);
  CHECK(with_bearer->status == 200);
  const auto with_api_key = post(d, chat("mock/echo"), {{"x-api-key", app}});
  CHECK(with_api_key->status == 200);
  CHECK(d.client().Get("/health")->status == 200);  // liveness needs no key

  d.stop();
  llmgw::Database db = llmgw::open_migrated(d.config.paths.db_file);
  const auto rows = llmgw::read_ledger_rows(db);
  REQUIRE(rows.size() == 2);  // refused requests are not requests to any provider
  CHECK(rows[0].client_key == "app");
  const std::string log = d.log.str();
  CHECK(log.find(app) == std::string::npos);
}

TEST_CASE("daemon keys: --require-key asks for a key before any exists", "[daemon][keys]") {
  DaemonHarness d(
      [](llmgw::Config&, llmgw::daemon::DaemonOptions& options) { options.require_key = true; });
  CHECK(d.server->auth_required());
  CHECK(post(d, chat("mock/echo"), {})->status == 401);
}

TEST_CASE("daemon keys: a key's model list, and its requests per minute with Retry-After",
          "[daemon][keys]") {
  Keys keys;
  DaemonHarness d([&](llmgw::Config& config, llmgw::daemon::DaemonOptions&) {
    ClientKeySpec limited = spec("limited");
    limited.rpm = 2;
    limited.models = std::vector<std::string>{"mock/*"};
    keys.add(config, limited);
  });
  const auto forbidden = post(d, chat("gpt-4o-mini"), bearer(keys.texts[0]));
  REQUIRE(forbidden);
  CHECK(forbidden->status == 403);
  CHECK(json::parse(forbidden->body)["error"]["param"] == "model");
  CHECK(d.upstream.requests().empty());

  CHECK(post(d, chat("mock/echo"), bearer(keys.texts[0]))->status == 200);
  CHECK(post(d, chat("mock/echo"), bearer(keys.texts[0]))->status == 200);
  const auto limited = post(d, chat("mock/echo"), bearer(keys.texts[0]));
  REQUIRE(limited);
  CHECK(limited->status == 429);
  const int retry_after = std::stoi(limited->get_header_value("Retry-After"));
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 60);
  CHECK_FALSE(limited->has_header("x-should-retry"));  // a rate limit passes: retrying helps
  const json error = json::parse(limited->body)["error"];
  CHECK(error["type"] == "requests");
  CHECK(error["code"] == "rate_limit_exceeded");
}

TEST_CASE("daemon keys: concurrent requests cannot overspend a budget", "[daemon][keys]") {
  Keys keys;
  constexpr double k_budget = 0.002;
  DaemonHarness d([&](llmgw::Config& config, llmgw::daemon::DaemonOptions&) {
    ClientKeySpec budgeted = spec("budgeted");
    budgeted.budget_usd = k_budget;
    budgeted.budget_period = llmgw::BudgetPeriod::day;
    keys.add(config, budgeted);
  });
  // Each answer costs nearly what the daemon reserves for it (the full max_tokens), so
  // admitting on what was spent alone would let all eight through: $0.0049 of $0.002.
  const json request = {{"model", "gpt-4o-mini"},
                        {"max_tokens", 1000},
                        {"messages", {{{"role", "user"}, {"content", std::string(100, 'w')}}}}};
  for (int i = 0; i < 8; ++i) {
    json answer = FakeOpenAI::echo_completion(request);
    answer["usage"] = {{"prompt_tokens", 100}, {"completion_tokens", 1000}, {"total_tokens", 1100}};
    d.upstream.push(Reply::json(200, answer).with_delay(std::chrono::milliseconds(300)));
  }
  std::atomic<int> answered{0};
  std::atomic<int> over_budget{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      const auto res = post(d, request.dump(), bearer(keys.texts[0]));
      if (res && res->status == 200)
        ++answered;
      else if (res && res->status == 429 &&
               json::parse(res->body)["error"]["type"] == "insufficient_quota")
        ++over_budget;
    });
  }
  for (auto& client : clients)
    client.join();
  CHECK(answered == 3);  // 3 reservations of $0.000629 fit in $0.002, a fourth does not
  CHECK(over_budget == 5);

  const auto usage = d.client().Get("/v1/usage", bearer(keys.texts[0]));
  REQUIRE(usage);
  CHECK(usage->status == 200);
  const json spend = json::parse(usage->body);
  CHECK(spend["key"] == "budgeted");
  CHECK(spend["period"] == "day");
  CHECK(spend["budget_usd"] == k_budget);
  CHECK(spend["spent_usd"].get<double>() == Approx(3 * 0.000615));
  CHECK(spend["spent_usd"].get<double>() <= k_budget);
  CHECK(spend["reserved_usd"] == 0.0);

  // What is left does not cover another request's maximum.
  const auto refused = post(d, request.dump(), bearer(keys.texts[0]));
  CHECK(refused->status == 429);
  // Waiting cannot help a spent budget: the SDKs are told not to retry (they do on 429).
  CHECK(refused->get_header_value("x-should-retry") == "false");
  CHECK_FALSE(refused->has_header("Retry-After"));

  const auto listed = d.client().Get("/v1/usage/transactions?limit=2", bearer(keys.texts[0]));
  REQUIRE(listed);
  CHECK(listed->status == 200);
  const json rows = json::parse(listed->body)["data"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["status"] == "ok");
  CHECK(rows[0]["cost_usd"].get<double>() == Approx(0.000615));
  CHECK(d.client().Get("/v1/usage/transactions?limit=x", bearer(keys.texts[0]))->status == 400);
  CHECK(d.client().Get("/v1/usage")->status == 401);

  d.stop();
  llmgw::Database db = llmgw::open_migrated(d.config.paths.db_file);
  double ledger_spend = 0;
  for (const auto& row : llmgw::read_ledger_rows(db))
    ledger_spend += row.cost_usd.value_or(0.0);
  CHECK(ledger_spend <= k_budget);
}
