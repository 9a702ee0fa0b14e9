// What one process leaves for the next: export/restore of breakers and resting keys, and
// the state file's merge, expiry and tolerance of bad content.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <fstream>

#include "core/resilience/health_file.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using std::chrono::seconds;

namespace {

constexpr const char* k_key = "sk-health-test-key-000000HLTH";
const std::string k_url = "https://api.openai.com/v1";

SavedBreaker breaker(const std::string& provider, std::int64_t updated) {
  SavedBreaker saved;
  saved.provider = provider;
  saved.base_url = k_url;
  saved.key_id = key_fingerprint(k_key);
  saved.key_hint = "…HLTH";
  saved.requests = 3;
  saved.updated = updated;
  return saved;
}

}  // namespace

TEST_CASE("health: an open breaker and a resting key carry over to the next process", "[health]") {
  test::FakeClock clock;
  BreakerSettings settings;
  settings.failure_threshold = 2;
  settings.cooldown = seconds(30);

  HealthRegistry first(settings);
  DeploymentHealth& deployment = first.deployment("openai", k_url, k_key);
  deployment.requests = 2;
  deployment.failures = 2;
  deployment.breaker.record_failure(clock.steady_now());
  deployment.breaker.record_failure(clock.steady_now());
  KeyPool& pool = first.key_pool("openai", k_url, {k_key, "sk-other-key-0000000000OTHR"});
  pool.cool_down(1, clock.steady_now() + seconds(40));
  clock.advance(seconds(10));
  const SavedHealth saved = first.export_used(clock.unix_seconds(), clock.steady_now());
  REQUIRE(saved.breakers.size() == 1);
  CHECK(saved.breakers[0].state == BreakerState::open);
  CHECK(saved.breakers[0].open_until == clock.unix_seconds() + 20);
  CHECK(saved.breakers[0].key_hint == "…HLTH");
  CHECK(saved.breakers[0].key_id.size() == 16);
  CHECK(saved.breakers[0].key_id.find("HLTH") == std::string::npos);
  REQUIRE(saved.keys.size() == 1);
  CHECK(saved.keys[0].key_hint == "…OTHR");
  CHECK(saved.keys[0].cooling_until == clock.unix_seconds() + 30);

  // A later process, 5 s on: still open for 15 s, counts kept, the key still resting.
  clock.advance(seconds(5));
  HealthRegistry second(settings);
  second.restore(saved, clock.unix_seconds(), clock.steady_now());
  DeploymentHealth& again = second.deployment("openai", k_url, k_key);
  CHECK_FALSE(again.breaker.allow(clock.steady_now()));
  CHECK(again.requests == 2);
  CHECK(again.breaker.snapshot(clock.steady_now()).retry_in == seconds(15));
  KeyPool& pool_again = second.key_pool("openai", k_url, {k_key, "sk-other-key-0000000000OTHR"});
  CHECK(pool_again.state(1, clock.steady_now()).cooling_for == seconds(25));
  CHECK(pool_again.pick(clock.steady_now()) == 0u);
  CHECK(pool_again.pick(clock.steady_now()) == 0u);
  clock.advance(seconds(15));
  CHECK(again.breaker.allow(clock.steady_now()));  // the probe
}

TEST_CASE("health: the state file merges by recency, expires old entries, tolerates junk",
          "[health]") {
  test::TempDir dir;
  const auto file = dir.path() / "state" / "llmgw" / "health.json";
  const std::int64_t now = test::FakeClock::k_start_unix;

  CHECK(read_health_file(file) == SavedHealth{});  // missing: empty

  SavedHealth a;
  a.breakers = {breaker("openai", now - 100), breaker("anthropic", now - 100)};
  save_health_file(file, a, now);
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  // Another process saves a newer openai entry and one for gemini: all three are kept,
  // openai's being the newer.
  SavedHealth b;
  b.breakers = {breaker("openai", now), breaker("gemini", now)};
  b.breakers[0].requests = 9;
  save_health_file(file, b, now);
  SavedHealth merged = read_health_file(file);
  REQUIRE(merged.breakers.size() == 3);
  for (const auto& entry : merged.breakers) {
    if (entry.provider == "openai")
      CHECK(entry.requests == 9);
  }

  // An older entry never replaces a newer one; entries idle past the TTL are dropped.
  SavedHealth stale;
  stale.breakers = {breaker("openai", now - 50)};
  save_health_file(file, stale, now + k_health_ttl_seconds - 50);
  merged = read_health_file(file);
  REQUIRE(merged.breakers.size() == 2);  // anthropic, idle for TTL + 50 s, is gone
  for (const auto& entry : merged.breakers) {
    CHECK(entry.provider != "anthropic");
    if (entry.provider == "openai")
      CHECK(entry.requests == 9);
  }

  // Junk reads as empty and is replaced by the next save.
  std::ofstream(file) << "{not json";
  CHECK(read_health_file(file) == SavedHealth{});
  std::ofstream(file) << R"({"version":1,"breakers":[{"provider":7}]})";
  CHECK(read_health_file(file) == SavedHealth{});
  save_health_file(file, b, now);
  CHECK(read_health_file(file).breakers.size() == 2);
}
