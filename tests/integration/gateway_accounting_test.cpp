// The Gateway accounts every call with exactly one ledger row and answers deterministic
// requests from the response cache, against a fake OpenAI upstream (real HTTP) and the
// mock, with time on a FakeClock.
#include <catch2/catch.hpp>
#include <mutex>

#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/http/curl_transport.hpp"
#include "core/stream_accumulator.hpp"
#include "support/expect_error.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_openai.hpp"
#include "support/single_attempt.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::FakeClock;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

constexpr const char* k_key = "sk-accounting-test-key-4242";

struct Harness {
  FakeOpenAI server;
  test::TempDir home;
  EnvLookup env;
  Config config;
  KeyStore keys;
  Credentials credentials;
  CurlTransport transport;
  FakeClock clock;
  std::vector<std::string> cache_warnings;
  ResponseCache cache;
  std::vector<LedgerRow> rows;
  Gateway gateway;

  explicit Harness(CacheSettings settings = {})
      : env(fixed_env({{"HOME", home.path().string()},
                       {"OPENAI_BASE_URL", server.base_url() + "/v1"},
                       {"OPENAI_API_KEY", k_key}})),
        config(test::single_attempt(load_config(env, {}))),
        keys(config.paths.keys_file),
        credentials(keys, env),
        cache(home.path() / "llmgw.db", settings,
              [this](const std::string& warning) { cache_warnings.push_back(warning); }),
        gateway(config, transport, credentials, clock, options()) {}

  GatewayOptions options() {
    GatewayOptions o;
    o.ledger = [this](LedgerRow row) { rows.push_back(std::move(row)); };
    o.source = "daemon";
    o.cache = &cache;
    return o;
  }

  static ChatCall call(const std::string& prompt, std::optional<double> temperature = 0.0) {
    ChatCall c;
    c.request = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", prompt}}}}};
    if (temperature)
      c.request["temperature"] = *temperature;
    return c;
  }

  // Streams `call`, returning the chunks given to the sink (copied).
  std::pair<ChatResult, std::vector<json>> stream(const ChatCall& c) {
    std::vector<json> chunks;
    ChatResult result = gateway.chat_stream(c, [&](const json& chunk) { chunks.push_back(chunk); });
    return {std::move(result), std::move(chunks)};
  }

  std::size_t chat_requests() const {
    std::size_t n = 0;
    for (const auto& request : server.requests())
      n += request.path == "/v1/chat/completions" ? 1 : 0;
    return n;
  }
};

std::string text_of(const json& completion) {
  return completion["choices"][0]["message"]["content"].get<std::string>();
}

}  // namespace

TEST_CASE("accounting: one ledger row per call, answered, failed, cancelled or cached",
          "[gateway][ledger]") {
  Harness h;
  // 1: answered whole (sampled, so not cached).
  const ChatResult whole = h.gateway.chat(Harness::call("one two", 0.7));
  // 2: streamed.
  const auto [streamed, chunks] = h.stream(Harness::call("three four", 0.7));
  // 3: refused by the provider.
  h.server.push(Reply::error(400, "Unsupported parameter"));
  CHECK(error_of([&] { h.gateway.chat(Harness::call("x", 0.7)); }).http_status == 400);
  // 4: refused before sending (bad request).
  ChatCall bad = Harness::call("y");
  bad.request["temperature"] = "hot";
  CHECK(error_of([&] { h.gateway.chat(bad); }).kind == ErrorKind::invalid_request);
  // 5: a stream cancelled after its first chunk.
  CancelToken cancel;
  ChatCall cancelled = Harness::call("five six seven eight", 0.7);
  cancelled.cancel = &cancel;
  CHECK(error_of([&] {
          h.gateway.chat_stream(cancelled, [&](const json&) { cancel.cancel(); });
        }).kind == ErrorKind::cancelled);
  // 6 and 7: a deterministic request fetched, then answered from the cache.
  const ChatResult fetched = h.gateway.chat(Harness::call("nine"));
  const ChatResult hit = h.gateway.chat(Harness::call("nine"));
  // 8 and 9: embeddings and images through the mock.
  EmbedCall embed;
  embed.request = {{"model", "mock/embed"}, {"input", {"a b", "c"}}};
  embed.client_key = "team-a";
  const EmbedResult embedded = h.gateway.embed(embed);
  ImageCall image;
  image.request = {{"model", "mock/image"}, {"prompt", "a cat"}, {"n", 2}};
  const ImageResult drawn = h.gateway.image(image);

  REQUIRE(h.rows.size() == 9);
  for (const LedgerRow& row : h.rows) {
    CHECK(row.source == "daemon");
    CHECK(row.ts_ms == FakeClock::k_start_unix * 1000);
    CHECK(row.latency_ms == 0);  // the fake clock did not move
    CHECK(row.price_version.has_value());
  }
  const auto& rows = h.rows;
  CHECK(rows[0] == whole.accounting);
  CHECK(rows[0].status == "ok");
  CHECK(rows[0].endpoint == "chat");
  CHECK(rows[0].provider == "openai");
  CHECK(rows[0].model_requested == "gpt-4o-mini");
  CHECK(rows[0].input_tokens == whole.response["usage"]["prompt_tokens"].get<int>());
  CHECK(rows[0].output_tokens == whole.response["usage"]["completion_tokens"].get<int>());
  CHECK(rows[0].attempts == 1);
  REQUIRE(rows[0].cost_usd.has_value());
  CHECK(*rows[0].cost_usd > 0);
  CHECK_FALSE(rows[0].cache_hit);
  CHECK(rows[0].request_hash == request_hash(Harness::call("one two", 0.7).request));

  CHECK(rows[1] == streamed.accounting);
  CHECK(rows[1].status == "ok");
  CHECK(rows[1].ttft_ms == 0);
  CHECK(rows[1].input_tokens == streamed.response["usage"]["prompt_tokens"].get<int>());
  CHECK(rows[1].output_tokens > 0);
  CHECK_FALSE(chunks.empty());

  CHECK(rows[2].status == "error");
  CHECK(rows[2].error_type == "invalid_request_error");
  CHECK(rows[2].provider == "openai");
  CHECK(rows[2].attempts == 1);
  CHECK_FALSE(rows[2].cost_usd.has_value());

  CHECK(rows[3].status == "error");
  CHECK(rows[3].error_type == "invalid_request_error");
  CHECK(rows[3].attempts == 0);  // nothing was sent
  CHECK_FALSE(rows[3].provider.has_value());

  CHECK(rows[4].status == "cancelled");
  CHECK(rows[4].ttft_ms.has_value());

  CHECK(rows[5].status == "ok");
  CHECK_FALSE(rows[5].cache_hit);
  const double cost = rows[5].cost_usd.value();
  CHECK(rows[6] == hit.accounting);
  CHECK(rows[6].cache_hit);
  CHECK(rows[6].status == "ok");
  CHECK(rows[6].attempts == 0);
  CHECK(rows[6].cost_usd == 0.0);
  CHECK(rows[6].saved_usd == cost);  // what the fetch cost
  CHECK(rows[6].input_tokens == 0);  // nothing billed
  CHECK(rows[6].provider == "openai");
  CHECK(rows[6].request_hash == rows[5].request_hash);

  CHECK(rows[7].endpoint == "embeddings");
  CHECK(rows[7].client_key == "team-a");
  CHECK(rows[7].model_requested == "mock/embed");
  CHECK(rows[7].input_tokens == embedded.response["usage"]["prompt_tokens"].get<int>());
  CHECK(rows[7].input_tokens > 0);
  CHECK_FALSE(rows[7].request_hash.has_value());

  CHECK(rows[8].endpoint == "images");
  CHECK(rows[8].status == "ok");
  CHECK(rows[8] == drawn.accounting);
  CHECK(h.cache_warnings.empty());
}

TEST_CASE("cache: a deterministic answer is served again without a request, for $0",
          "[gateway][cache]") {
  Harness h;
  const ChatResult first = h.gateway.chat(Harness::call("hello cache"));
  CHECK_FALSE(first.cache_hit);
  CHECK(h.chat_requests() == 1);

  // Key order, whitespace and 0.0 for 0 make no difference.
  ChatCall same;
  same.request = json::parse(
      R"({"temperature": 0.0, "messages": [{"content": "hello cache", "role": "user"}],
          "model": "gpt-4o-mini", "user": "someone"})");
  const ChatResult second = h.gateway.chat(same);
  CHECK(second.cache_hit);
  CHECK(h.chat_requests() == 1);
  CHECK(second.response == first.response);
  CHECK(second.response["provider"] == "openai");
  CHECK(second.route.provider.name == "openai");
  CHECK(second.attempts.empty());

  // Another prompt, a sampled request, bypass and refresh all go to the provider.
  h.gateway.chat(Harness::call("hello again"));
  CHECK(h.chat_requests() == 2);
  const ChatResult sampled = h.gateway.chat(Harness::call("hello cache", 0.7));
  CHECK_FALSE(sampled.cache_hit);
  CHECK(h.chat_requests() == 3);
  ChatCall bypass = Harness::call("hello cache");
  bypass.cache_mode = CacheMode::bypass;
  CHECK_FALSE(h.gateway.chat(bypass).cache_hit);
  CHECK(h.chat_requests() == 4);
  ChatCall refresh = Harness::call("hello cache");
  refresh.cache_mode = CacheMode::refresh;
  CHECK_FALSE(h.gateway.chat(refresh).cache_hit);
  CHECK(h.chat_requests() == 5);
  CHECK(h.gateway.chat(Harness::call("hello cache")).cache_hit);
  CHECK(h.chat_requests() == 5);
}

TEST_CASE("cache: --cache forces a sampled request into the cache", "[gateway][cache]") {
  Harness h;
  ChatCall forced = Harness::call("creative", 1.0);
  forced.cache_mode = CacheMode::force;
  CHECK_FALSE(h.gateway.chat(forced).cache_hit);
  CHECK(h.gateway.chat(forced).cache_hit);
  CHECK(h.chat_requests() == 1);
  // Without force the same sampled request is neither answered nor stored.
  CHECK_FALSE(h.gateway.chat(Harness::call("creative", 1.0)).cache_hit);
  CHECK(h.chat_requests() == 2);
}

TEST_CASE("cache: a streamed answer is replayed as a stream and served whole", "[gateway][cache]") {
  Harness h;
  const auto [fetched, fetched_chunks] = h.stream(Harness::call("stream me please"));
  CHECK_FALSE(fetched.cache_hit);
  REQUIRE(h.chat_requests() == 1);

  // stream → stream: the replay folds to the same answer, usage chunk included.
  const auto [replayed, replay_chunks] = h.stream(Harness::call("stream me please"));
  CHECK(replayed.cache_hit);
  CHECK(h.chat_requests() == 1);
  json folded = StreamAccumulator::fold(replay_chunks);
  folded["provider"] = "openai";
  CHECK(folded == fetched.response);
  CHECK(replay_chunks.back()["choices"].empty());
  CHECK(replay_chunks.back()["usage"] == fetched.response["usage"]);
  CHECK(replayed.accounting.ttft_ms.has_value());

  // stream → whole.
  const ChatResult whole = h.gateway.chat(Harness::call("stream me please"));
  CHECK(whole.cache_hit);
  CHECK(text_of(whole.response) == "fake: stream me please");
  CHECK(h.chat_requests() == 1);
}

TEST_CASE("cache: a whole answer is replayed to a streaming caller", "[gateway][cache]") {
  Harness h;
  const ChatResult whole = h.gateway.chat(Harness::call("whole first"));
  const auto [replayed, chunks] = h.stream(Harness::call("whole first"));
  CHECK(replayed.cache_hit);
  CHECK(h.chat_requests() == 1);
  std::string text;
  for (const json& chunk : chunks) {
    if (!chunk["choices"].empty() && chunk["choices"][0]["delta"].contains("content"))
      text += chunk["choices"][0]["delta"]["content"].get<std::string>();
  }
  CHECK(text == text_of(whole.response));
  CHECK(chunks.back()["usage"] == whole.response["usage"]);
}

TEST_CASE("cache: entries expire after the TTL, on the clock", "[gateway][cache]") {
  CacheSettings settings;
  settings.ttl = std::chrono::seconds(60);
  Harness h(settings);
  h.gateway.chat(Harness::call("ttl"));
  h.clock.advance(std::chrono::seconds(59));
  CHECK(h.gateway.chat(Harness::call("ttl")).cache_hit);
  h.clock.advance(std::chrono::seconds(1));
  CHECK_FALSE(h.gateway.chat(Harness::call("ttl")).cache_hit);  // expired: fetched again
  CHECK(h.chat_requests() == 2);
  CHECK(h.gateway.chat(Harness::call("ttl")).cache_hit);  // and stored again
}

TEST_CASE("cache: failures and cut-off streams are never cached", "[gateway][cache]") {
  Harness h;
  h.server.push(Reply::error(500, "boom", "server_error"));
  CHECK(error_of([&] { h.gateway.chat(Harness::call("fails")); }).http_status == 500);
  CHECK_FALSE(h.gateway.chat(Harness::call("fails")).cache_hit);

  h.server.push(Reply::echo().with_cut_after(2));
  CHECK(error_of([&] { h.stream(Harness::call("cut short")); }).kind == ErrorKind::stream_broken);
  CHECK_FALSE(h.gateway.chat(Harness::call("cut short")).cache_hit);
}

TEST_CASE("cache: off in the settings, nothing is looked up or kept", "[gateway][cache]") {
  CacheSettings settings;
  settings.enabled = false;
  Harness h(settings);
  h.gateway.chat(Harness::call("off"));
  CHECK_FALSE(h.gateway.chat(Harness::call("off")).cache_hit);
  CHECK(h.chat_requests() == 2);
}
