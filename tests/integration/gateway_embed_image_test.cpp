// Gateway::embed and Gateway::image through the real curl transport against fake
// upstreams: OpenAI's default replies, and queued Ollama, Gemini and Azure replies (the
// fake serves any path, so one server stands in for every provider).
#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/http/curl_transport.hpp"
#include "support/base64.hpp"
#include "support/expect_error.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_openai.hpp"
#include "support/single_attempt.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

constexpr const char* k_openai_key = "sk-embed-image-test-key-4242";
constexpr const char* k_gemini_key = "AIza-gemini-test-key-5151";
constexpr const char* k_azure_key = "azure-test-key-6161";
constexpr std::int64_t k_now = test::FakeClock::k_start_unix;  // "created" is known

// Core wired as the CLI wires it, every provider pointed at the one fake server.
struct Harness {
  FakeOpenAI server;
  test::TempDir home;
  EnvLookup env;
  Config config;
  KeyStore keys;
  Credentials credentials;
  CurlTransport transport;
  test::FakeClock clock;  // never advanced here: retries are off
  Gateway gateway;

  explicit Harness(bool with_keys = true)
      : env(env_for(server, home, with_keys)),
        config(test::single_attempt(with_gemini(load_config(env, {}), server))),
        keys(config.paths.keys_file),
        credentials(keys, env),
        gateway(config, transport, credentials, clock) {}

  static EnvLookup env_for(const FakeOpenAI& server, const test::TempDir& home, bool with_keys) {
    std::map<std::string, std::string> vars = {{"HOME", home.path().string()},
                                               {"OPENAI_BASE_URL", server.base_url() + "/v1"},
                                               {"OLLAMA_HOST", server.base_url()},
                                               {"AZURE_OPENAI_ENDPOINT", server.base_url()},
                                               {"OPENAI_API_VERSION", "2024-10-21"}};
    if (with_keys) {
      vars["OPENAI_API_KEY"] = k_openai_key;
      vars["GEMINI_API_KEY"] = k_gemini_key;
      vars["AZURE_OPENAI_API_KEY"] = k_azure_key;
    }
    return fixed_env(std::move(vars));
  }

  // Gemini's base URL has no env var; config.toml's [providers.gemini] base_url, set here.
  static Config with_gemini(Config config, const FakeOpenAI& server) {
    config.providers["gemini"].base_url =
        Sourced<std::string>{server.base_url() + "/v1beta", "test"};
    return config;
  }

  EmbedResult embed(json request) {
    EmbedCall call;
    call.request = std::move(request);
    return gateway.embed(call);
  }

  ImageResult image(json request) {
    ImageCall call;
    call.request = std::move(request);
    return gateway.image(call);
  }
};

// Little-endian float32 values, as openai-node reads an embedding with Float32Array.
std::vector<float> float32_values(const std::string& base64) {
  const std::string bytes = test::base64_decode(base64);
  REQUIRE(bytes.size() % 4 == 0);
  std::vector<float> values;
  for (std::size_t i = 0; i < bytes.size(); i += 4) {
    std::uint32_t bits = 0;
    for (std::size_t b = 4; b-- > 0;)
      bits = (bits << 8) | static_cast<unsigned char>(bytes[i + b]);
    values.push_back(std::bit_cast<float>(bits));
  }
  return values;
}

}  // namespace

TEST_CASE("openai embeddings: string and array input, dimensions and usage",
          "[gateway][embeddings]") {
  Harness h;
  SECTION("a string with dimensions") {
    const EmbedResult result = h.embed({{"model", "openai/text-embedding-3-small"},
                                        {"input", "three little words"},
                                        {"dimensions", 4}});
    CHECK(result.route.provider.name == "openai");
    CHECK(result.route.model == "text-embedding-3-small");
    const json& out = result.response;
    CHECK(out["object"] == "list");
    CHECK(out["model"] == "text-embedding-3-small");
    REQUIRE(out["data"].size() == 1);
    CHECK(out["data"][0]["object"] == "embedding");
    CHECK(out["data"][0]["index"] == 0);
    const json expected = {FakeOpenAI::embedding_value(0, 0), FakeOpenAI::embedding_value(0, 1),
                           FakeOpenAI::embedding_value(0, 2), FakeOpenAI::embedding_value(0, 3)};
    CHECK(out["data"][0]["embedding"] == expected);
    CHECK(out["usage"] == json{{"prompt_tokens", 3}, {"total_tokens", 3}});

    const auto requests = h.server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/v1/embeddings");
    CHECK(requests[0].header("authorization") == "Bearer " + std::string(k_openai_key));
    CHECK(requests[0].json == json{{"model", "text-embedding-3-small"},
                                   {"input", "three little words"},
                                   {"dimensions", 4}});
  }
  SECTION("an array: one embedding per input, in order") {
    const EmbedResult result =
        h.embed({{"model", "openai/text-embedding-3-small"}, {"input", {"a b", "c", "d e f"}}});
    const json& data = result.response["data"];
    REQUIRE(data.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(data[i]["index"] == i);
      CHECK(data[i]["embedding"].size() == FakeOpenAI::k_embedding_dimensions);
      CHECK(data[i]["embedding"][0] == FakeOpenAI::embedding_value(i, 0));
    }
    CHECK(result.response["usage"]["prompt_tokens"] == 6);
    CHECK(h.server.requests().at(0).json["input"] == json{"a b", "c", "d e f"});
  }
}

TEST_CASE("base64 embeddings decode to the upstream's float32 values", "[gateway][embeddings]") {
  Harness h;
  SECTION("openai's own base64 is passed through") {
    const EmbedResult result = h.embed({{"model", "openai/text-embedding-3-small"},
                                        {"input", {"x", "y"}},
                                        {"dimensions", 2},
                                        {"encoding_format", "base64"}});
    CHECK(h.server.requests().at(0).json["encoding_format"] == "base64");
    const json& data = result.response["data"];
    REQUIRE(data.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      REQUIRE(data[i]["embedding"].is_string());
      CHECK(float32_values(data[i]["embedding"].get<std::string>()) ==
            std::vector<float>{static_cast<float>(FakeOpenAI::embedding_value(i, 0)),
                               static_cast<float>(FakeOpenAI::embedding_value(i, 1))});
    }
  }
  SECTION("ollama's floats are encoded by the gateway") {
    h.server.push(Reply::json(200, {{"model", "nomic-embed-text"},
                                    {"embeddings", {{0.5, -0.25, 3.0}}},
                                    {"prompt_eval_count", 2}}));
    const EmbedResult result = h.embed({{"model", "ollama/nomic-embed-text"},
                                        {"input", "hi there"},
                                        {"encoding_format", "base64"}});
    CHECK(float32_values(result.response["data"][0]["embedding"].get<std::string>()) ==
          std::vector<float>{0.5F, -0.25F, 3.0F});
    // Ollama is not asked for base64: it has no such option.
    CHECK_FALSE(h.server.requests().at(0).json.contains("encoding_format"));
  }
}

TEST_CASE("ollama embeddings go to /api/embed", "[gateway][embeddings]") {
  Harness h;
  h.server.push(Reply::json(200, {{"model", "nomic-embed-text"},
                                  {"embeddings", {{0.1, 0.2}, {0.3, 0.4}}},
                                  {"total_duration", 14143917},
                                  {"prompt_eval_count", 6}}));
  const EmbedResult result =
      h.embed({{"model", "ollama/nomic-embed-text"}, {"input", {"first one", "second"}}});
  const json& out = result.response;
  CHECK(out["object"] == "list");
  CHECK(out["model"] == "nomic-embed-text");
  REQUIRE(out["data"].size() == 2);
  CHECK(out["data"][1]["index"] == 1);
  CHECK(out["data"][1]["embedding"] == json{0.3, 0.4});
  CHECK(out["usage"] == json{{"prompt_tokens", 6}, {"total_tokens", 6}});

  const auto sent = h.server.requests().at(0);
  CHECK(sent.path == "/api/embed");
  CHECK(sent.json == json{{"model", "nomic-embed-text"},
                          {"input", {"first one", "second"}},
                          {"truncate", true}});
  CHECK_FALSE(sent.header("authorization").has_value());  // Ollama takes no key
}

TEST_CASE("gemini embeddings use batchEmbedContents with the key in a header only",
          "[gateway][embeddings]") {
  Harness h;
  h.server.push(
      Reply::json(200, {{"embeddings", {{{"values", {0.25, -0.5}}}, {{"values", {1.0, 0.0}}}}}}));
  const EmbedResult result =
      h.embed({{"model", "gemini/gemini-embedding-001"}, {"input", {"a", "b"}}, {"dimensions", 2}});
  CHECK(result.route.provider.name == "gemini");
  const json& out = result.response;
  CHECK(out["model"] == "gemini-embedding-001");
  REQUIRE(out["data"].size() == 2);
  CHECK(out["data"][0]["embedding"] == json{0.25, -0.5});
  // Gemini reports none: estimated (one token per input here) and marked so, never 0.
  CHECK(out["usage"] == json{{"prompt_tokens", 2}, {"total_tokens", 2}, {"estimated", true}});

  const auto sent = h.server.requests().at(0);
  CHECK(sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents");
  CHECK(sent.header("x-goog-api-key") == std::string(k_gemini_key));
  CHECK(sent.target.find(k_gemini_key) == std::string::npos);
  CHECK(sent.target.find("key=") == std::string::npos);
  REQUIRE(sent.json["requests"].size() == 2);
  CHECK(sent.json["requests"][1] == json{{"model", "models/gemini-embedding-001"},
                                         {"content", {{"parts", {{{"text", "b"}}}}}},
                                         {"outputDimensionality", 2}});
}

TEST_CASE("openai images: b64_json and url", "[gateway][images]") {
  Harness h;
  SECTION("b64_json, n = 2") {
    const ImageResult result = h.image({{"model", "openai/gpt-image-1"},
                                        {"prompt", "a fox in snow"},
                                        {"n", 2},
                                        {"size", "1024x1536"},
                                        {"quality", "low"},
                                        {"response_format", "b64_json"}});
    CHECK(result.route.provider.name == "openai");
    CHECK(result.route.model == "gpt-image-1");
    const json& data = result.response["data"];
    REQUIRE(data.size() == 2);
    CHECK(test::base64_decode(data[0]["b64_json"].get<std::string>()) ==
          "fake image 0: a fox in snow");
    CHECK(test::base64_decode(data[1]["b64_json"].get<std::string>()) ==
          "fake image 1: a fox in snow");
    CHECK(result.response["created"].is_number_integer());
    CHECK(result.response["created"] != k_now);  // the upstream's, not the clock's

    const auto sent = h.server.requests().at(0);
    CHECK(sent.path == "/v1/images/generations");
    CHECK(sent.header("authorization") == "Bearer " + std::string(k_openai_key));
    CHECK(sent.json == json{{"model", "gpt-image-1"},
                            {"prompt", "a fox in snow"},
                            {"n", 2},
                            {"size", "1024x1536"},
                            {"quality", "low"},
                            {"response_format", "b64_json"}});
  }
  SECTION("url with the revised prompt") {
    const ImageResult result = h.image({{"model", "openai/dall-e-3"}, {"prompt", "a lighthouse"}});
    const json& data = result.response["data"];
    REQUIRE(data.size() == 1);
    CHECK(data[0]["url"] == "https://images.fake.test/0.png");
    CHECK(data[0]["revised_prompt"] == "fake: a lighthouse");
  }
}

TEST_CASE("azure images go to the deployment with the api-version and api-key",
          "[gateway][images]") {
  Harness h;
  h.server.push(Reply::json(200, {{"data", {{{"url", "https://azure.example/img.png"}}}}}));
  const ImageResult result = h.image({{"model", "azure/my-dalle3"}, {"prompt", "a bridge"}});
  CHECK(result.response["data"][0]["url"] == "https://azure.example/img.png");
  CHECK(result.response["created"] == k_now);  // Azure's body had none: the clock's

  const auto sent = h.server.requests().at(0);
  CHECK(sent.path == "/openai/deployments/my-dalle3/images/generations");
  CHECK(sent.target == "/openai/deployments/my-dalle3/images/generations?api-version=2024-10-21");
  CHECK(sent.header("api-key") == std::string(k_azure_key));
  CHECK_FALSE(sent.header("authorization").has_value());
}

TEST_CASE("upstream errors on embeddings and images keep the provider's message",
          "[gateway][embeddings][images]") {
  Harness h;
  SECTION("embeddings 429 with Retry-After") {
    h.server.push(Reply::error(429, "Rate limit reached for text-embedding-3-small", "tokens",
                               "rate_limit_exceeded")
                      .with_header("Retry-After", "3"));
    const Error e = error_of([&] {
      h.embed({{"model", "openai/text-embedding-3-small"}, {"input", "x"}});
    });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 429);
    CHECK(e.provider == "openai");
    CHECK(e.message.find("Rate limit reached for text-embedding-3-small") != std::string::npos);
    CHECK(e.retryable);
    REQUIRE(e.retry_after);
    CHECK(*e.retry_after == Approx(3.0));
  }
  SECTION("images 400 content policy") {
    h.server.push(Reply::error(400, "Your request was rejected by the safety system.",
                               "invalid_request_error", "content_policy_violation"));
    const Error e = error_of([&] { h.image({{"model", "openai/dall-e-3"}, {"prompt", "x"}}); });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 400);
    CHECK(e.code == "content_policy_violation");
    CHECK(e.message.find("rejected by the safety system") != std::string::npos);
    CHECK_FALSE(e.retryable);
  }
  SECTION("ollama 404 for a model not pulled") {
    h.server.push(Reply::json(404, {{"error", "model \"nomic\" not found, try pulling it first"}}));
    const Error e = error_of([&] { h.embed({{"model", "ollama/nomic"}, {"input", "x"}}); });
    CHECK(e.http_status == 404);
    CHECK(e.message.find("try pulling it first") != std::string::npos);
  }
}

TEST_CASE("embed and image refuse before sending: missing key, no such API, no model",
          "[gateway][embeddings][images]") {
  Harness h(/*with_keys=*/false);
  SECTION("a missing key") {
    CHECK(error_of([&] {
            h.embed({{"model", "openai/text-embedding-3-small"}, {"input", "x"}});
          }).kind == ErrorKind::missing_key);
    CHECK(error_of([&] {
            h.image({{"model", "openai/dall-e-3"}, {"prompt", "x"}});
          }).kind == ErrorKind::missing_key);
  }
  SECTION("a provider without the API is refused before its key is looked for") {
    const Error e = error_of([&] {
      h.embed({{"model", "anthropic/claude-sonnet-4-5"}, {"input", "x"}});
    });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.message == "anthropic has no embeddings API");
    const Error img = error_of([&] {
      h.image({{"model", "gemini/gemini-2.5-flash"}, {"prompt", "x"}});
    });
    CHECK(img.kind == ErrorKind::invalid_request);
    CHECK(img.param == "model");
    CHECK(img.fix.find("openai/gpt-image-1") != std::string::npos);
  }
  SECTION("no model") {
    const Error e = error_of([&] { h.embed({{"input", "x"}}); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.param == "model");
    CHECK(e.message == "model is required");
    CHECK(e.fix.find("mock/embed") != std::string::npos);
    CHECK(error_of([&] {
            h.image({{"prompt", "x"}});
          }).fix.find("mock/image") != std::string::npos);
  }
  SECTION("an invalid request") {
    const Error e = error_of([&] {
      h.image({{"model", "openai/dall-e-3"}, {"prompt", "x"}, {"n", 0}});
    });
    CHECK(e.param == "n");
  }
  CHECK(h.server.requests().empty());
}

TEST_CASE("mock/embed and mock/image answer without the network",
          "[gateway][embeddings][images][mock]") {
  Harness h(/*with_keys=*/false);
  const EmbedResult embedded = h.embed({{"model", "mock/embed"}, {"input", {"alpha", "beta"}}});
  CHECK(embedded.route.provider.name == "mock");
  CHECK(embedded.response["model"] == "mock/embed");
  REQUIRE(embedded.response["data"].size() == 2);
  CHECK(embedded.response["data"][0]["embedding"].size() == 8);
  CHECK(embedded.response["usage"]["prompt_tokens"] == 3);  // ceil(5/4) + ceil(4/4)
  CHECK(h.embed({{"model", "mock/embed"}, {"input", {"alpha", "beta"}}}).response ==
        embedded.response);

  const ImageResult drawn = h.image(
      {{"model", "mock/image"}, {"prompt", "a cat"}, {"n", 2}, {"response_format", "b64_json"}});
  CHECK(drawn.response["created"] == k_now);
  REQUIRE(drawn.response["data"].size() == 2);
  CHECK(test::base64_decode(drawn.response["data"][0]["b64_json"].get<std::string>())
            .starts_with("\x89PNG"));
  CHECK(drawn.response["data"][0] != drawn.response["data"][1]);

  CHECK(h.server.requests().empty());
}

TEST_CASE("each mock model serves its own operation", "[gateway][mock]") {
  Harness h(/*with_keys=*/false);
  const Error embed_with_echo = error_of([&] {
    h.embed({{"model", "mock/echo"}, {"input", "x"}});
  });
  CHECK(embed_with_echo.kind == ErrorKind::invalid_request);
  CHECK(embed_with_echo.fix == "use mock/embed");

  const Error image_with_embed = error_of([&] {
    h.image({{"model", "mock/embed"}, {"prompt", "x"}});
  });
  CHECK(image_with_embed.message == "mock/embed is an embeddings model and makes no images");

  ChatCall chat;
  chat.request = {{"model", "mock/image"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  const Error chat_with_image = error_of([&] { h.gateway.chat(chat); });
  CHECK(chat_with_image.message == "mock/image is an image model and makes no chat completions");
  CHECK(error_of([&] { h.gateway.plan(chat); }).param == "model");
  CHECK(h.server.requests().empty());
}
