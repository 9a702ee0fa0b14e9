// The Gateway through the real curl transport against a fake OpenAI upstream.
#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/http/curl_transport.hpp"
#include "support/expect_error.hpp"
#include "support/fake_openai.hpp"
#include "support/single_attempt.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;

namespace {

constexpr const char* k_key = "sk-integration-test-key-7777";

// Core wired as the CLI wires it, with the fake server as OpenAI's base URL.
struct Harness {
  FakeOpenAI server;
  test::TempDir home;
  Config config;
  KeyStore keys;
  EnvLookup env;
  Credentials credentials;
  CurlTransport transport;
  SystemClock clock;
  Gateway gateway;

  Harness()
      : config(test::single_attempt(load_config(env_for(server, home), {}))),
        keys(config.paths.keys_file),
        env(env_for(server, home)),
        credentials(keys, env),
        gateway(config, transport, credentials, clock) {}

  static EnvLookup env_for(const FakeOpenAI& server, const test::TempDir& home) {
    return fixed_env({{"HOME", home.path().string()},
                      {"OPENAI_BASE_URL", server.base_url() + "/v1"},
                      {"OPENAI_API_KEY", k_key}});
  }

  static ChatCall call(const std::string& prompt, const std::string& model = "gpt-4o-mini") {
    ChatCall c;
    c.request = {{"model", model}, {"messages", {{{"role", "user"}, {"content", prompt}}}}};
    return c;
  }
};

}  // namespace

TEST_CASE("non-stream chat reaches the upstream and returns its answer", "[gateway]") {
  Harness h;
  const auto result = h.gateway.chat(Harness::call("hello there"));
  CHECK(result.response["choices"][0]["message"]["content"] == "fake: hello there");
  CHECK(result.response["usage"]["total_tokens"].get<int>() > 0);
  CHECK(result.route.provider.name == "openai");

  const auto requests = h.server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].path == "/v1/chat/completions");
  CHECK(requests[0].header("authorization") == "Bearer " + std::string(k_key));
  CHECK(requests[0].json["model"] == "gpt-4o-mini");
  CHECK_FALSE(requests[0].json.contains("stream"));
}

TEST_CASE("streamed chat asks for usage and delivers chunks then the final usage", "[gateway]") {
  Harness h;
  std::string text;
  int usage_chunks = 0;
  const auto result =
      h.gateway.chat_stream(Harness::call("one two three"), [&](const nlohmann::json& chunk) {
        if (chunk["choices"].empty() && chunk["usage"].is_object())
          ++usage_chunks;
        for (const auto& choice : chunk["choices"]) {
          if (choice["delta"].contains("content"))
            text += choice["delta"]["content"].get<std::string>();
        }
      });
  CHECK(text == "fake: one two three");
  CHECK(usage_chunks == 1);
  CHECK(result.response["choices"][0]["message"]["content"] == "fake: one two three");
  CHECK(result.response["usage"]["prompt_tokens"] == 3);

  const auto sent = h.server.requests().at(0).json;
  CHECK(sent["stream"] == true);
  CHECK(sent["stream_options"]["include_usage"] == true);
}

TEST_CASE("keep-alive: consecutive requests share one connection", "[gateway]") {
  Harness h;
  for (int i = 0; i < 3; ++i)
    h.gateway.chat(Harness::call("again"));
  CHECK(h.server.connections_seen() == 1);
}

TEST_CASE("upstream errors keep status, type, message and Retry-After", "[gateway]") {
  Harness h;
  SECTION("401 with the provider's message and a fix") {
    h.server.push(Reply::error(401, "Incorrect API key provided: sk-int***7777",
                               "invalid_request_error", "invalid_api_key"));
    const Error e = error_of([&] { h.gateway.chat(Harness::call("hi")); });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 401);
    CHECK(e.code == "invalid_api_key");
    CHECK(e.message.find("Incorrect API key provided") != std::string::npos);
    CHECK(e.fix.find("llmgw keys set openai") != std::string::npos);
    CHECK_FALSE(e.retryable);
  }
  SECTION("429 with Retry-After") {
    h.server.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                      .with_header("Retry-After", "7"));
    const Error e = error_of([&] { h.gateway.chat(Harness::call("hi")); });
    CHECK(e.http_status == 429);
    CHECK(e.retryable);
    REQUIRE(e.retry_after);
    CHECK(*e.retry_after == Approx(7.0));
  }
  SECTION("a body that is not JSON gives the status and an excerpt") {
    h.server.push(Reply::raw(502, "<html><body>Bad gateway from the edge</body></html>"));
    const Error e = error_of([&] { h.gateway.chat(Harness::call("hi")); });
    CHECK(e.http_status == 502);
    CHECK(e.message.find("502") != std::string::npos);
    CHECK(e.message.find("Bad gateway from the edge") != std::string::npos);
  }
  SECTION("an error before the first chunk of a stream is an ordinary error") {
    h.server.push(Reply::error(400, "messages: too long"));
    int chunks = 0;
    const Error e = error_of([&] {
      h.gateway.chat_stream(Harness::call("hi"), [&](const nlohmann::json&) { ++chunks; });
    });
    CHECK(chunks == 0);
    CHECK(e.http_status == 400);
    CHECK(e.message.find("messages: too long") != std::string::npos);
  }
}

TEST_CASE("a stream cut off mid-way keeps the chunks given and then fails", "[gateway]") {
  Harness h;
  SECTION("connection dropped") {
    h.server.push(Reply::echo().with_cut_after(2));
  }
  SECTION("server closes cleanly without [DONE] or a finish") {
    auto events = FakeOpenAI::echo_events(Harness::call("a b c d").request);
    events.resize(3);
    h.server.push(Reply::sse(events));
  }
  std::string text;
  const Error e = error_of([&] {
    h.gateway.chat_stream(Harness::call("a b c d"), [&](const nlohmann::json& chunk) {
      for (const auto& choice : chunk["choices"]) {
        if (choice["delta"].contains("content"))
          text += choice["delta"]["content"].get<std::string>();
      }
    });
  });
  CHECK(e.kind == ErrorKind::stream_broken);
  CHECK_FALSE(text.empty());
  CHECK(text != "fake: a b c d");
}

TEST_CASE("an error event in the middle of a stream carries the provider's message", "[gateway]") {
  Harness h;
  auto events = FakeOpenAI::echo_events(Harness::call("x y").request);
  events.resize(2);
  events.push_back(
      R"(data: {"error":{"message":"The server had an error while processing your request","type":"server_error","param":null,"code":null}})");
  h.server.push(Reply::sse(events));
  int chunks = 0;
  const Error e = error_of([&] {
    h.gateway.chat_stream(Harness::call("x y"), [&](const nlohmann::json&) { ++chunks; });
  });
  CHECK(chunks == 2);
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.message.find("server had an error") != std::string::npos);
}

TEST_CASE("a missing key fails before any request is sent", "[gateway]") {
  FakeOpenAI server;
  test::TempDir home;
  const auto env =
      fixed_env({{"HOME", home.path().string()}, {"OPENAI_BASE_URL", server.base_url() + "/v1"}});
  const Config config = load_config(env, {});
  KeyStore keys(config.paths.keys_file);
  Credentials credentials(keys, env);
  CurlTransport transport;
  SystemClock clock;
  Gateway gateway(config, transport, credentials, clock);
  try {
    gateway.chat(Harness::call("hi"));
    FAIL("expected missing_key");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::missing_key);
  }
  CHECK(server.requests().empty());
}

TEST_CASE("cancellation stops a slow stream promptly", "[gateway]") {
  Harness h;
  h.server.push(Reply::echo().with_stall(2, std::chrono::seconds(5)));
  ChatCall call = Harness::call("p q r");
  CancelToken cancel;
  call.cancel = &cancel;
  int chunks = 0;
  const auto started = std::chrono::steady_clock::now();
  const Error e = error_of([&] {
    h.gateway.chat_stream(call, [&](const nlohmann::json&) {
      if (++chunks == 2)
        cancel.cancel();  // as a Ctrl-C handler would, mid-stream
    });
  });
  CHECK(e.kind == ErrorKind::cancelled);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}
