// The attempt loop on a fake clock with scripted outcomes: exact attempt counts, the waits
// asked of the clock, breakers, key rotation and the fallback order. No network: each
// attempt pops the next scripted outcome (the Gateway tests drive it over real HTTP).
#include <catch2/catch.hpp>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/resilience/attempt_loop.hpp"
#include "core/resilience/retry_policy.hpp"
#include "support/expect_error.hpp"
#include "support/fake_clock.hpp"

using namespace llmgw;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Route route_to(const std::string& provider, const std::string& model, int max_retries = 3) {
  Route route;
  route.provider.name = provider;
  route.provider.base_url = "http://" + provider + ".test/v1";
  route.model = model;
  route.requested = provider + "/" + model;
  route.retry.max_retries = max_retries;
  return route;
}

Error upstream(int status, std::optional<double> retry_after = std::nullopt) {
  Error error = make_error(ErrorKind::upstream, "openai: status " + std::to_string(status));
  error.http_status = status;
  error.retryable = status == 408 || status == 409 || status == 429 || status >= 500;
  error.retry_after = retry_after;
  return error;
}

Error network(bool before_first_byte) {
  Error error = make_error(ErrorKind::network, "could not connect to openai.test");
  error.retryable = before_first_byte;
  return error;
}

// Scripted attempts: each call pops the next outcome (nullopt: success) and remembers
// which route and key it was given.
struct Script {
  explicit Script(std::deque<std::optional<Error>> script) : outcomes(std::move(script)) {}

  std::deque<std::optional<Error>> outcomes;
  std::vector<std::string> calls;  // "provider/model key"
  bool commit_before_failing = false;

  AttemptFn fn() {
    return [this](const Route& route, const ResolvedKey& key, bool& committed) {
      calls.push_back(route.provider.name + "/" + route.model + " " + key.key);
      REQUIRE_FALSE(outcomes.empty());
      std::optional<Error> outcome = outcomes.front();
      outcomes.pop_front();
      if (outcome) {
        committed = commit_before_failing;
        throw GatewayError(*outcome);
      }
    };
  }
};

KeysFn keys(std::vector<std::string> values) {
  return [values](const Route&) {
    std::vector<ResolvedKey> out;
    for (const auto& value : values)
      out.push_back({value, "test"});
    return out;
  };
}

struct Loop {
  test::FakeClock clock;
  HealthRegistry health;
  double draw = 0.5;
  AttemptLoop loop{clock, health, [this] { return draw; }, nullptr};

  explicit Loop(BreakerSettings breaker = {}) : health(breaker) {}

  AttemptOutcome run(const std::vector<Route>& candidates, Script& script,
                     const KeysFn& key_list = keys({"sk-test-key-1111"})) {
    return loop.run(candidates, key_list, script.fn());
  }
};

}  // namespace

TEST_CASE("attempt loop: 503 twice then 200 waits the jittered backoff", "[attempts]") {
  Loop l;
  Script script{{upstream(503), upstream(503), std::nullopt}};
  const Route route = route_to("openai", "gpt-4o");
  const AttemptOutcome outcome = l.run({route}, script);
  CHECK(script.calls.size() == 3);
  REQUIRE(outcome.attempts.size() == 3);
  CHECK(outcome.attempts[0].error->http_status == 503);
  CHECK_FALSE(outcome.attempts[2].error.has_value());
  // Full jitter with a draw of 0.5: half of 500 ms, then half of 1000 ms.
  CHECK(l.clock.sleeps() == std::vector<milliseconds>{milliseconds(250), milliseconds(500)});
  CHECK(outcome.attempts[1].waited == milliseconds(250));
  CHECK(outcome.attempts[2].waited == milliseconds(500));
  CHECK(outcome.attempts[0].key_hint == "…1111");
}

TEST_CASE("attempt loop: backoff grows to max_delay and jitters over [0, ceiling]", "[attempts]") {
  RetrySettings settings;  // 500 ms base, 20 s max
  CHECK(backoff_delay(0, settings, 0.999) == milliseconds(499));
  CHECK(backoff_delay(3, settings, 1.0) == milliseconds(4000));
  CHECK(backoff_delay(10, settings, 1.0) == milliseconds(20'000));
  CHECK(backoff_delay(1000, settings, 0.5) == milliseconds(10'000));
  CHECK(backoff_delay(2, settings, 0.0) == milliseconds(0));
}

TEST_CASE("attempt loop: Retry-After is waited as asked, and a longer one than max_wait moves on",
          "[attempts]") {
  SECTION("7 s asked: 7 s waited, then success") {
    Loop l;
    Script script{{upstream(429, 7.0), std::nullopt}};
    l.run({route_to("openai", "gpt-4o")}, script);
    CHECK(l.clock.sleeps() == std::vector<milliseconds>{seconds(7)});
  }
  SECTION("retry-after-ms precision is kept") {
    Loop l;
    Script script{{upstream(503, 0.25), std::nullopt}};
    l.run({route_to("openai", "gpt-4o")}, script);
    CHECK(l.clock.sleeps() == std::vector<milliseconds>{milliseconds(250)});
  }
  SECTION("120 s asked, cap 60 s: no wait, the fallback answers") {
    Loop l;
    Script script{{upstream(429, 120.0), std::nullopt}};
    const AttemptOutcome outcome =
        l.run({route_to("openai", "gpt-4o"), route_to("anthropic", "claude")}, script);
    CHECK(l.clock.sleeps().empty());
    CHECK(outcome.served_by == 1);
    CHECK(script.calls == std::vector<std::string>{"openai/gpt-4o sk-test-key-1111",
                                                   "anthropic/claude sk-test-key-1111"});
    CHECK_THAT(outcome.attempts[0].error->message,
               Catch::Contains("asked to wait 120 s, more than the max_wait of 60 s"));
  }
  SECTION("120 s asked and nothing else to try: fails fast saying so") {
    Loop l;
    Script script{{upstream(429, 120.0)}};
    const Error e = test::error_of([&] { l.run({route_to("openai", "gpt-4o")}, script); });
    CHECK(l.clock.sleeps().empty());
    CHECK(e.http_status == 429);
    CHECK(e.retry_after == 120.0);
    CHECK_THAT(e.message, Catch::Contains("asked to wait 120 s"));
  }
}

TEST_CASE("attempt loop: what must not be retried is tried once", "[attempts]") {
  for (const int status : {400, 401, 403, 404, 422}) {
    INFO("HTTP " << status);
    Loop l;
    Error error = upstream(status);
    error.retryable = true;  // even when an adapter got it wrong
    Script script{{error}};
    const Error e = test::error_of([&] { l.run({route_to("openai", "gpt-4o")}, script); });
    CHECK(script.calls.size() == 1);
    CHECK(l.clock.sleeps().empty());
    CHECK(e.message == error.message);  // a single attempt's error as it was
  }
  SECTION("a failure after the first streamed chunk is final") {
    Loop l;
    Script script{{upstream(503), std::nullopt}};
    script.commit_before_failing = true;
    const Error e = test::error_of([&] {
      l.run({route_to("openai", "gpt-4o"), route_to("anthropic", "claude")}, script);
    });
    CHECK(script.calls.size() == 1);
    CHECK(e.http_status == 503);
  }
  SECTION("a cancel is final") {
    Loop l;
    Script script{{make_error(ErrorKind::cancelled, "request cancelled"), std::nullopt}};
    const Error e = test::error_of([&] {
      l.run({route_to("openai", "gpt-4o"), route_to("anthropic", "claude")}, script);
    });
    CHECK(e.kind == ErrorKind::cancelled);
    CHECK(script.calls.size() == 1);
  }
  SECTION("a connection failure is retried only before the first byte") {
    Loop l;
    Script before{{network(true), std::nullopt}};
    l.run({route_to("openai", "gpt-4o")}, before);
    CHECK(before.calls.size() == 2);
    Script after{{network(false)}};
    test::error_of([&] { l.run({route_to("openai", "gpt-4o")}, after); });
    CHECK(after.calls.size() == 1);
  }
}

TEST_CASE("attempt loop: when everything fails the error names every attempt", "[attempts]") {
  Loop l;
  Script script{{upstream(503), upstream(503), upstream(500)}};
  const KeysFn key_list = [](const Route& route) -> std::vector<ResolvedKey> {
    if (route.provider.name == "gemini")
      fail(ErrorKind::missing_key, "no API key for gemini", "run `llmgw keys set gemini`");
    return {{"sk-test-key-1111", "test"}};
  };
  const Error e = test::error_of([&] {
    l.loop.run({route_to("openai", "gpt-4o", 1), route_to("gemini", "gemini-2.5-pro"),
                route_to("anthropic", "claude", 0)},
               key_list, script.fn());
  });
  CHECK(script.calls == std::vector<std::string>{"openai/gpt-4o sk-test-key-1111",
                                                 "openai/gpt-4o sk-test-key-1111",
                                                 "anthropic/claude sk-test-key-1111"});
  CHECK(e.http_status == 500);  // the last sent attempt's
  CHECK(e.message ==
        "all 4 attempts failed: "
        "[1] openai/gpt-4o (key …1111): HTTP 503: openai: status 503; "
        "[2] openai/gpt-4o (key …1111) after waiting 0.2 s: HTTP 503: openai: status 503; "
        "[3] gemini/gemini-2.5-pro, skipped: no API key for gemini; "
        "[4] anthropic/claude (key …1111): HTTP 500: openai: status 500");
}

TEST_CASE("attempt loop: the breaker opens, skips without a request, probes, closes",
          "[attempts][breaker]") {
  BreakerSettings settings;
  settings.failure_threshold = 2;
  settings.cooldown = seconds(30);
  Loop l(settings);
  const Route openai = route_to("openai", "gpt-4o", 0);
  const Route fallback = route_to("anthropic", "claude", 0);
  Script script{{upstream(503), upstream(503), std::nullopt, std::nullopt, std::nullopt}};
  test::error_of([&] { l.run({openai}, script); });
  test::error_of([&] { l.run({openai}, script); });
  const auto now = l.clock.steady_now();
  CHECK(l.health.deployment("openai", openai.provider.base_url, "sk-test-key-1111")
            .breaker.snapshot(now)
            .state == BreakerState::open);

  // Open: the fallback answers and openai is not touched.
  AttemptOutcome outcome = l.run({openai, fallback}, script);
  CHECK(outcome.served_by == 1);
  CHECK(script.calls.size() == 3);
  CHECK(script.calls.back() == "anthropic/claude sk-test-key-1111");
  REQUIRE(outcome.attempts.size() == 2);
  CHECK_FALSE(outcome.attempts[0].sent);
  CHECK(outcome.attempts[0].error->code == "circuit_open");

  // Alone, it fails fast with the breaker's error, without a request.
  const Error e = test::error_of([&] { l.run({openai}, script); });
  CHECK(e.code == "circuit_open");
  CHECK(e.http_status == 503);
  CHECK(script.calls.size() == 3);

  // After the cooldown one probe goes; its success closes the breaker.
  l.clock.advance(seconds(30));
  outcome = l.run({openai}, script);
  CHECK(script.calls.back() == "openai/gpt-4o sk-test-key-1111");
  CHECK(l.health.deployment("openai", openai.provider.base_url, "sk-test-key-1111")
            .breaker.snapshot(l.clock.steady_now())
            .state == BreakerState::closed);
}

TEST_CASE("attempt loop: 4xx answers do not trip the breaker", "[attempts][breaker]") {
  BreakerSettings settings;
  settings.failure_threshold = 1;
  Loop l(settings);
  const Route openai = route_to("openai", "gpt-4o", 0);
  Script script{{upstream(400), upstream(404), upstream(429), std::nullopt}};
  for (int i = 0; i < 3; ++i)
    test::error_of([&] { l.run({openai}, script); });
  l.run({openai}, script);
  CHECK(script.calls.size() == 4);
}

TEST_CASE("attempt loop: keys rotate; a rate-limited key rests while the others carry on",
          "[attempts][key_pool]") {
  Loop l;
  const Route openai = route_to("openai", "gpt-4o");
  const KeysFn two = keys({"sk-key-aaaa", "sk-key-bbbb"});
  SECTION("round-robin over requests") {
    Script script{{std::nullopt, std::nullopt, std::nullopt}};
    for (int i = 0; i < 3; ++i)
      l.run({openai}, script, two);
    CHECK(script.calls == std::vector<std::string>{"openai/gpt-4o sk-key-aaaa",
                                                   "openai/gpt-4o sk-key-bbbb",
                                                   "openai/gpt-4o sk-key-aaaa"});
  }
  SECTION("429 on one key: the other goes at once, and the first is skipped until it cools") {
    Script script{{upstream(429, 30.0), std::nullopt, std::nullopt, std::nullopt, std::nullopt}};
    l.run({openai}, script, two);
    CHECK(l.clock.sleeps().empty());
    l.run({openai}, script, two);
    l.run({openai}, script, two);
    CHECK(script.calls ==
          std::vector<std::string>{"openai/gpt-4o sk-key-aaaa", "openai/gpt-4o sk-key-bbbb",
                                   "openai/gpt-4o sk-key-bbbb", "openai/gpt-4o sk-key-bbbb"});
    l.clock.advance(seconds(30));
    l.run({openai}, script, two);
    CHECK(script.calls.back() == "openai/gpt-4o sk-key-aaaa");
  }
  SECTION("every key rate-limited: waits for the first to cool when within max_wait") {
    Script script{{upstream(429, 5.0), upstream(429, 8.0), std::nullopt}};
    l.run({openai}, script, two);
    CHECK(l.clock.sleeps() == std::vector<milliseconds>{seconds(5)});
    CHECK(script.calls.back() == "openai/gpt-4o sk-key-aaaa");
  }
  SECTION("a refused key is marked bad and never used again") {
    Script script{{upstream(401), std::nullopt, std::nullopt, std::nullopt}};
    l.run({openai}, script, two);
    l.run({openai}, script, two);
    l.run({openai}, script, two);
    CHECK(script.calls ==
          std::vector<std::string>{"openai/gpt-4o sk-key-aaaa", "openai/gpt-4o sk-key-bbbb",
                                   "openai/gpt-4o sk-key-bbbb", "openai/gpt-4o sk-key-bbbb"});
  }
  SECTION("every key refused: says so") {
    Script script{{upstream(401), upstream(403)}};
    const Error e = test::error_of([&] { l.run({openai}, script, two); });
    CHECK_THAT(e.message, Catch::Contains("[1] openai/gpt-4o (key …aaaa): HTTP 401"));
    CHECK_THAT(e.message, Catch::Contains("[2] openai/gpt-4o (key …bbbb): HTTP 403"));
    CHECK_THAT(e.fix, Catch::Contains("llmgw keys list"));
    CHECK(script.calls.size() == 2);
  }
}

TEST_CASE("attempt loop: an exception that is not an outcome gives back the probe slot",
          "[attempts][breaker]") {
  BreakerSettings settings;
  settings.failure_threshold = 1;
  settings.cooldown = seconds(30);
  Loop l(settings);
  const Route openai = route_to("openai", "gpt-4o", 0);
  Script script{{upstream(503)}};
  test::error_of([&] { l.run({openai}, script); });
  l.clock.advance(seconds(30));
  const AttemptFn broken = [](const Route&, const ResolvedKey&, bool&) {
    throw std::runtime_error("a bug");
  };
  CHECK_THROWS_AS(l.loop.run({openai}, keys({"sk-test-key-1111"}), broken), std::runtime_error);
  // The probe slot is free again, and nothing is left counted in flight.
  CHECK(l.health.target("openai", openai.provider.base_url, "gpt-4o").in_flight == 0);
  Script ok{{std::nullopt}};
  l.run({openai}, ok);
  CHECK(ok.calls.size() == 1);
}

TEST_CASE("attempt loop: an attempt's time is kept to the microsecond", "[attempts]") {
  // A local upstream answers in a fraction of a millisecond; the daemon's overhead metric
  // subtracts this time from the request's, so it must not be rounded down to 0 ms.
  Loop l;
  int calls = 0;
  const AttemptFn answer_in_250us = [&](const Route&, const ResolvedKey&, bool&) {
    l.clock.advance(std::chrono::microseconds(250));
    if (++calls == 1)
      throw GatewayError(upstream(503));
  };
  const AttemptOutcome outcome =
      l.loop.run({route_to("openai", "gpt-4o-mini")}, keys({"sk-test-key-1111"}), answer_in_250us);
  REQUIRE(outcome.attempts.size() == 2);
  CHECK(outcome.attempts[0].took == std::chrono::microseconds(250));  // the failed try
  CHECK(outcome.attempts[1].took == std::chrono::microseconds(250));  // the one that served
}
