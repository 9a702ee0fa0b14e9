// Authenticating client keys: every way a key is refused says why without its secret, keys
// changed by another connection are noticed after a second of the clock, and allow-lists.
#include "core/client_auth.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/store/migrations.hpp"
#include "support/expect_error.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::FakeClock;
using llmgw::test::TempDir;

namespace {

// A database with its own connection for "another process" and a directory over it.
struct Fixture {
  TempDir dir;
  std::filesystem::path file = dir.path() / "llmgw.db";
  Database other = open_migrated(file);
  FakeClock clock;
  ClientKeyDirectory directory{file, clock};

  std::int64_t now() const { return clock.unix_milliseconds(); }

  CreatedClientKey create(const std::string& name, std::optional<std::int64_t> expires = {}) {
    ClientKeySpec spec;
    spec.name = name;
    spec.expires_ms = expires;
    return create_client_key(other, spec, now());
  }
};

std::string secret_of(const CreatedClientKey& created) {
  return std::string(parse_client_key_text(created.text)->secret);
}

// The refusal for `token`, checked for what every refusal must be: `hidden` (the secret)
// appears neither in its message nor in its fix.
Error refusal(Fixture& f, const std::string& token, const std::string& hidden) {
  const Error e = error_of([&] { f.directory.authenticate(token, f.now()); });
  CHECK(e.kind == ErrorKind::unauthorized);
  CHECK(e.http_status == 401);
  CHECK(e.code == "invalid_api_key");
  CHECK_FALSE(e.fix.empty());
  if (!hidden.empty()) {
    CHECK(e.message.find(hidden) == std::string::npos);
    CHECK(e.fix.find(hidden) == std::string::npos);
  }
  return e;
}

}  // namespace

TEST_CASE("client auth: a valid key authenticates and comes back whole", "[client_auth]") {
  Fixture f;
  const CreatedClientKey created = f.create("app");
  const ClientKey key = f.directory.authenticate(created.text, f.now());
  CHECK(key == created.key);
  CHECK(f.directory.any_client_keys());
}

TEST_CASE("client auth: each refusal says why, never shows the secret, names the fix",
          "[client_auth]") {
  Fixture f;
  const CreatedClientKey created = f.create("app");
  const std::string id = created.key.id;
  const std::string secret = secret_of(created);

  const Error none = refusal(f, "", "");
  CHECK_THAT(none.message, Catch::Contains("no client key was given"));
  CHECK_THAT(none.fix, Catch::Contains("llmgw keys create"));

  const std::string provider_key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123";
  const Error malformed = refusal(f, provider_key, provider_key.substr(0, provider_key.size() - 4));
  CHECK_THAT(malformed.message, Catch::Contains("…0123 is not an llmgw client key"));
  CHECK_THAT(malformed.fix, Catch::Contains("llmgw keys create"));

  const std::string unknown_id = id == "aaaaaaaaaaaa" ? "bbbbbbbbbbbb" : "aaaaaaaaaaaa";
  const Error unknown = refusal(f, "llmgw_" + unknown_id + "." + secret, secret);
  CHECK_THAT(unknown.message, Catch::Contains("llmgw_" + unknown_id + ".… is not known"));
  CHECK_THAT(unknown.fix, Catch::Contains("llmgw keys create"));

  std::string wrong_secret = secret;
  wrong_secret[0] = wrong_secret[0] == '0' ? '1' : '0';
  const Error wrong = refusal(f, "llmgw_" + id + "." + wrong_secret, wrong_secret);
  CHECK_THAT(wrong.message, Catch::Contains("llmgw_" + id + ".… has the wrong secret"));
  CHECK_THAT(wrong.fix, Catch::Contains("llmgw keys revoke"));
}

TEST_CASE("client auth: an expired key is refused from its expiry on", "[client_auth]") {
  Fixture f;
  const CreatedClientKey created = f.create("temp", f.now() + 60'000);
  CHECK_NOTHROW(f.directory.authenticate(created.text, f.now() + 59'999));
  const Error e = error_of([&] { f.directory.authenticate(created.text, f.now() + 60'000); });
  CHECK(e.kind == ErrorKind::unauthorized);
  CHECK_THAT(e.message, Catch::Contains("the client key 'temp'"));
  CHECK_THAT(e.message, Catch::Contains("expired on"));
  CHECK_THAT(e.fix, Catch::Contains("llmgw keys create temp"));
  CHECK(e.message.find(secret_of(created)) == std::string::npos);
  // An expired key still makes the daemon require keys.
  CHECK(f.directory.any_client_keys());
}

TEST_CASE("client auth: a key revoked by another connection is refused once the clock moves 1 s",
          "[client_auth]") {
  Fixture f;
  const CreatedClientKey created = f.create("app");
  CHECK_NOTHROW(f.directory.authenticate(created.text, f.now()));
  REQUIRE(revoke_client_key(f.other, "app", f.now()));
  // Within the second the keys in memory serve: no database read per request.
  f.clock.advance(std::chrono::milliseconds(999));
  CHECK_NOTHROW(f.directory.authenticate(created.text, f.now()));
  f.clock.advance(std::chrono::milliseconds(1));
  const Error e = error_of([&] { f.directory.authenticate(created.text, f.now()); });
  CHECK(e.kind == ErrorKind::unauthorized);
  CHECK_THAT(e.message, Catch::Contains("the client key 'app'"));
  CHECK_THAT(e.message, Catch::Contains("was revoked on"));
  CHECK_THAT(e.fix, Catch::Contains("llmgw keys create app"));
  CHECK_FALSE(f.directory.any_client_keys());
}

TEST_CASE("client auth: a key created by another connection is found after 1 s, or on refresh",
          "[client_auth]") {
  Fixture f;
  CHECK_FALSE(f.directory.any_client_keys());
  const CreatedClientKey first = f.create("first");
  CHECK_FALSE(f.directory.any_client_keys());  // the empty table read a moment ago serves
  f.clock.advance(std::chrono::seconds(1));
  CHECK(f.directory.any_client_keys());
  CHECK(f.directory.authenticate(first.text, f.now()).name == "first");

  const CreatedClientKey second = f.create("second");
  CHECK(error_of([&] { f.directory.authenticate(second.text, f.now()); }).kind ==
        ErrorKind::unauthorized);
  f.directory.refresh();
  CHECK(f.directory.authenticate(second.text, f.now()).name == "second");
}

TEST_CASE("client auth: threads authenticate at once while the keys change", "[client_auth]") {
  Fixture f;
  std::vector<CreatedClientKey> keys;
  for (int i = 0; i < 4; ++i)
    keys.push_back(f.create("app-" + std::to_string(i)));
  const std::int64_t now = f.now();
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (i % 100 == 0)
          f.directory.refresh();
        if (f.directory.authenticate(keys[static_cast<std::size_t>(t)].text, now).name ==
            "app-" + std::to_string(t))
          ++accepted;
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  CHECK(accepted == 2000);
}

TEST_CASE("client auth: a model allow-list by name or prefix", "[client_auth]") {
  ClientKey key;
  key.name = "app";
  key.id = "0123456789ab";
  CHECK(model_allowed(key, "anything/at-all"));  // no list: every model
  key.models = std::vector<std::string>{"gpt-4o", "anthropic/*", "mock/echo"};
  CHECK(model_allowed(key, "gpt-4o"));
  CHECK(model_allowed(key, "anthropic/claude-sonnet-4-5"));
  CHECK(model_allowed(key, "mock/echo"));
  CHECK_FALSE(model_allowed(key, "gpt-4o-mini"));  // not a prefix entry
  CHECK_FALSE(model_allowed(key, "openai/gpt-4o"));
  CHECK_FALSE(model_allowed(key, "anthropic"));
  CHECK_NOTHROW(require_model_allowed(key, "gpt-4o"));

  const Error e = error_of([&] { require_model_allowed(key, "gpt-4o-mini"); });
  CHECK(e.kind == ErrorKind::forbidden);
  CHECK(e.http_status == 403);
  CHECK(e.param == "model");
  CHECK(e.code == "model_not_allowed");
  CHECK_THAT(e.message, Catch::Contains("'app'"));
  CHECK_THAT(e.message, Catch::Contains("'gpt-4o-mini'"));
  CHECK_THAT(e.message, Catch::Contains("gpt-4o, anthropic/*, mock/echo"));
  CHECK_THAT(e.fix, Catch::Contains("--models gpt-4o-mini"));

  key.models = std::vector<std::string>{};  // a list edited into nothing allows nothing
  CHECK_FALSE(model_allowed(key, "gpt-4o"));
}
