// The Gateway's attempt loop over real HTTP: the fake upstream plays a scripted sequence
// of outcomes per request (429 + Retry-After, 503 twice then 200, 529, a reset connection,
// accept-then-hang, a stream cut mid-way, malformed JSON) and the test asserts the exact
// number of requests the server saw and the waits asked of the fake clock.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/gateway.hpp"
#include "core/http/curl_transport.hpp"
#include "support/expect_error.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_openai.hpp"
#include "support/reset_server.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr const char* k_key = "sk-resilience-test-key-3131";

// Core wired as the CLI wires it, with a fake clock and a fixed jitter draw of 0.5.
struct Harness {
  FakeOpenAI server;
  test::TempDir home;
  EnvLookup env;
  Config config;
  KeyStore keys;
  Credentials credentials;
  CurlTransport transport;
  test::FakeClock clock;
  Gateway gateway;

  explicit Harness(const std::function<void(Config&)>& adjust = {},
                   const std::string& openai_url = {})
      : env(fixed_env({{"HOME", home.path().string()},
                       {"OPENAI_BASE_URL",
                        openai_url.empty() ? server.base_url() + "/v1" : openai_url + "/v1"},
                       {"OPENAI_API_KEY", k_key}})),
        config(adjusted(load_config(env, {}), adjust)),
        keys(config.paths.keys_file),
        credentials(keys, env),
        gateway(config, transport, credentials, clock, half_way()) {}

  static GatewayOptions half_way() {
    GatewayOptions options;
    options.random01 = [] { return 0.5; };
    return options;
  }

  static Config adjusted(Config config, const std::function<void(Config&)>& adjust) {
    if (adjust)
      adjust(config);
    return config;
  }

  static ChatCall call(const std::string& model, bool stream = false) {
    ChatCall call;
    call.request = {{"model", model},
                    {"stream", stream},
                    {"messages", {{{"role", "user"}, {"content", "one two three"}}}}};
    return call;
  }
};

Reply unavailable(int status = 503) {
  return Reply::error(status, "The server is overloaded", "server_error");
}

}  // namespace

TEST_CASE("resilience: 503 twice then 200 is answered after two backoffs", "[resilience]") {
  Harness h;
  h.server.push(unavailable());
  h.server.push(unavailable());
  const ChatResult result = h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
  CHECK(result.response["choices"][0]["message"]["content"] == "fake: one two three");
  CHECK(h.server.requests().size() == 3);
  CHECK(h.clock.sleeps() == std::vector<milliseconds>{milliseconds(250), milliseconds(500)});
  REQUIRE(result.attempts.size() == 3);
  CHECK(result.attempts[0].error->http_status == 503);
  CHECK_FALSE(result.attempts[2].error.has_value());
  CHECK(result.response["provider"] == "openai");
}

TEST_CASE("resilience: Retry-After is honoured, and a longer one than max_wait is not waited",
          "[resilience]") {
  SECTION("429 with Retry-After: 7 waits 7 s") {
    Harness h;
    h.server.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                      .with_header("Retry-After", "7"));
    h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
    CHECK(h.server.requests().size() == 2);
    CHECK(h.clock.sleeps() == std::vector<milliseconds>{seconds(7)});
  }
  SECTION("retry-after-ms: 1500 waits 1.5 s") {
    Harness h;
    h.server.push(unavailable().with_header("retry-after-ms", "1500"));
    h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
    CHECK(h.clock.sleeps() == std::vector<milliseconds>{milliseconds(1500)});
  }
  SECTION("429 asking for 120 s with a 60 s cap falls over to the next model at once") {
    Harness h;
    h.server.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                      .with_header("Retry-After", "120"));
    const ChatResult result = h.gateway.chat(Harness::call("openai/gpt-4o-mini,mock/echo"));
    CHECK(result.route.provider.name == "mock");
    CHECK(result.response["provider"] == "mock");
    CHECK(h.server.requests().size() == 1);
    CHECK(h.clock.sleeps().empty());
    CHECK_THAT(result.attempts[0].error->message, Catch::Contains("asked to wait 120 s"));
  }
  SECTION("the same with nothing to fall over to fails fast, saying how long it asked") {
    Harness h;
    h.server.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                      .with_header("Retry-After", "120"));
    const Error e = test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
    CHECK(e.http_status == 429);
    CHECK(e.retry_after == 120.0);
    CHECK_THAT(e.message, Catch::Contains("more than the max_wait of 60 s"));
    CHECK(h.clock.sleeps().empty());
  }
}

TEST_CASE("resilience: 529 overloaded is retried", "[resilience]") {
  Harness h;
  h.server.push(unavailable(529));
  h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
  CHECK(h.server.requests().size() == 2);
  CHECK(h.clock.sleeps() == std::vector<milliseconds>{milliseconds(250)});
}

TEST_CASE("resilience: what must not be retried reaches the server once", "[resilience]") {
  for (const int status : {400, 401, 403, 404, 422}) {
    INFO("HTTP " << status);
    Harness h;
    h.server.push(Reply::error(status, "no", "invalid_request_error"));
    const Error e = test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
    CHECK(e.http_status == status);
    CHECK(h.server.requests().size() == 1);
    CHECK(h.clock.sleeps().empty());
  }
  SECTION("malformed JSON in a 200 is not retried") {
    Harness h;
    h.server.push(Reply::raw(200, "{\"choices\": [", "application/json"));
    const Error e = test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(h.server.requests().size() == 1);
  }
}

TEST_CASE("resilience: a reset connection is retried, then the fallback answers", "[resilience]") {
  test::ResetServer reset;
  Harness h({}, reset.base_url());
  const ChatResult result = h.gateway.chat(Harness::call("openai/gpt-4o-mini,mock/echo"));
  CHECK(result.route.provider.name == "mock");
  CHECK(reset.connections() == 4);  // the first try and 3 retries
  CHECK(h.clock.sleeps() ==
        std::vector<milliseconds>{milliseconds(250), milliseconds(500), milliseconds(1000)});
  REQUIRE(result.attempts.size() == 5);
  CHECK(result.attempts[0].error->kind == ErrorKind::network);
}

TEST_CASE("resilience: a provider that accepts and hangs is retried after the first-byte timeout",
          "[resilience]") {
  Harness h([](Config& config) {
    config.providers["openai"].timeouts.value.first_byte = milliseconds(200);
  });
  h.server.push(Reply::echo().with_delay(milliseconds(3000)));
  const ChatResult result = h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
  CHECK(result.response["choices"][0]["message"]["content"] == "fake: one two three");
  REQUIRE(result.attempts.size() == 2);
  CHECK(result.attempts[0].error->kind == ErrorKind::timeout);
  CHECK_THAT(result.attempts[0].error->message, Catch::Contains("first-byte timeout"));
}

TEST_CASE("resilience: a stream cut after its first chunk is never retried", "[resilience]") {
  Harness h;
  h.server.push(Reply::echo().with_cut_after(3));
  std::string shown;
  const Error e = test::error_of([&] {
    h.gateway.chat_stream(Harness::call("openai/gpt-4o-mini,mock/echo", true),
                          [&](const nlohmann::json& chunk) {
                            const auto& choices = chunk["choices"];
                            if (!choices.empty() && choices[0]["delta"].contains("content"))
                              shown += choices[0]["delta"]["content"].get<std::string>();
                          });
  });
  CHECK(e.kind == ErrorKind::stream_broken);
  CHECK(h.server.requests().size() == 1);
  CHECK_FALSE(shown.empty());  // what was shown stays shown; nothing else follows
  CHECK(shown.find("fake") == 0);
}

TEST_CASE("resilience: a stream that fails before its first chunk falls over", "[resilience]") {
  Harness h;
  h.server.push(unavailable());
  h.server.push(unavailable());
  h.server.push(unavailable());
  h.server.push(unavailable());
  int chunks = 0;
  const ChatResult result =
      h.gateway.chat_stream(Harness::call("openai/gpt-4o-mini,mock/echo", true),
                            [&](const nlohmann::json&) { ++chunks; });
  CHECK(result.route.provider.name == "mock");
  CHECK(h.server.requests().size() == 4);
  CHECK(chunks > 0);
}

TEST_CASE("resilience: the breaker opens after repeated failures and a probe closes it",
          "[resilience][breaker]") {
  Harness h([](Config& config) {
    config.retry.value.max_retries = 0;
    config.breaker.value.failure_threshold = 2;
    config.breaker.value.cooldown = seconds(30);
  });
  h.server.push(unavailable());
  h.server.push(unavailable());
  test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
  test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
  // Open: no request reaches the server.
  const Error open = test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
  CHECK(open.code == "circuit_open");
  CHECK(h.server.requests().size() == 2);
  h.clock.advance(seconds(29));
  test::error_of([&] { h.gateway.chat(Harness::call("openai/gpt-4o-mini")); });
  CHECK(h.server.requests().size() == 2);
  // Half-open after the cooldown: one probe, which succeeds and closes it.
  h.clock.advance(seconds(1));
  h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
  h.gateway.chat(Harness::call("openai/gpt-4o-mini"));
  CHECK(h.server.requests().size() == 4);
}

TEST_CASE("resilience: embeddings and images go through the same attempt loop", "[resilience]") {
  Harness h;
  h.server.push(unavailable());
  EmbedCall embed;
  embed.request = {{"model", "openai/text-embedding-3-small"}, {"input", "hello"}};
  const EmbedResult embedded = h.gateway.embed(embed);
  CHECK(embedded.attempts.size() == 2);
  CHECK(embedded.response["data"].size() == 1);

  h.server.push(
      Reply::error(429, "Rate limit reached", "requests").with_header("Retry-After", "2"));
  ImageCall image;
  image.request = {{"model", "openai/dall-e-3"}, {"prompt", "a lighthouse"}};
  const ImageResult drawn = h.gateway.image(image);
  CHECK(drawn.attempts.size() == 2);
  CHECK(h.server.requests().size() == 4);
  CHECK(h.clock.sleeps() == std::vector<milliseconds>{milliseconds(250), seconds(2)});
}
