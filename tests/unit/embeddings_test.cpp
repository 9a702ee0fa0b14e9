#include "core/providers/embeddings.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "support/expect_error.hpp"
#include "support/fixtures.hpp"
#include "support/http_reply.hpp"

using namespace llmgw;
using nlohmann::json;
using test::error_of;
using test::header;
using test::ok;
using test::read_fixture;

namespace {

// Decodes with OpenSSL (as a client would with its own library) and reads little-endian
// float32 values, as openai-node does with Float32Array.
std::vector<float> decode_float32_base64(const std::string& text) {
  std::string bytes(text.size() / 4 * 3 + 1, '\0');
  const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  REQUIRE(decoded >= 0);
  // EVP_DecodeBlock counts the padding as zero bytes; drop them.
  const auto padding = static_cast<std::size_t>(
      std::count(text.end() - std::min<std::size_t>(2, text.size()), text.end(), '='));
  bytes.resize(static_cast<std::size_t>(decoded) - padding);
  REQUIRE(bytes.size() % 4 == 0);
  std::vector<float> out;
  for (std::size_t i = 0; i < bytes.size(); i += 4) {
    std::uint32_t word = 0;
    for (int b = 3; b >= 0; --b)
      word = (word << 8) | static_cast<unsigned char>(bytes[i + static_cast<std::size_t>(b)]);
    out.push_back(std::bit_cast<float>(word));
  }
  return out;
}

std::vector<float> as_floats(const json& values) {
  std::vector<float> out;
  for (const auto& value : values)
    out.push_back(static_cast<float>(value.get<double>()));
  return out;
}

Error validation_error(const json& request) {
  return error_of([&] { embeddings::validate(request); });
}

}  // namespace

TEST_CASE("valid embeddings requests pass validation", "[embeddings]") {
  CHECK_NOTHROW(embeddings::validate({{"model", "m"}, {"input", "hello"}}));
  CHECK_NOTHROW(embeddings::validate({{"input", {"a", "b"}}, {"user", "u1"}}));
  CHECK_NOTHROW(embeddings::validate({{"input", {1, 2, 3}}}));
  CHECK_NOTHROW(embeddings::validate({{"input", {{1, 2}, {3}}}}));
  CHECK_NOTHROW(
      embeddings::validate({{"input", "x"}, {"dimensions", 256}, {"encoding_format", "base64"}}));
  CHECK_NOTHROW(embeddings::validate(
      {{"input", "x"}, {"dimensions", nullptr}, {"encoding_format", nullptr}}));
  CHECK_NOTHROW(embeddings::validate({{"input", json(std::vector<std::string>(2048, "t"))}}));
}

TEST_CASE("embeddings validation names the offending field", "[embeddings]") {
  struct Case {
    json request;
    std::string param;
    std::string message;
  };
  const std::vector<Case> cases = {
      {json::array(), "", "the request body must be a JSON object, got []"},
      {{{"model", "m"}}, "input", "input is required"},
      {{{"input", nullptr}}, "input", "input is required"},
      {{{"input", ""}}, "input", "input must not be an empty string"},
      {{{"input", 5}}, "input", "input must be a string or an array of strings, got 5"},
      {{{"input", json::array()}}, "input", "input must contain at least one item"},
      {{{"input", json(std::vector<std::string>(2049, "t"))}},
       "input",
       "input may hold at most 2048 items, got 2049"},
      {{{"input", {"a", "b", "c", 7}}}, "input[3]", "input[3] must be a string, got 7"},
      {{{"input", {"a", ""}}}, "input[1]", "input[1] must not be an empty string"},
      {{{"input", {1, -2}}},
       "input[1]",
       "input[1] must be a token id (a non-negative integer), got -2"},
      {{{"input", {1, 2.5}}},
       "input[1]",
       "input[1] must be a token id (a non-negative integer), got 2.5"},
      {{{"input", {{1}, json::array()}}},
       "input[1]",
       "input[1] must be a non-empty array of token ids, got []"},
      {{{"input", {{1}, {2, "x"}}}},
       "input[1][1]",
       "input[1][1] must be a token id (a non-negative integer), got \"x\""},
      {{{"input", {nullptr}}}, "input[0]", "input[0] must be a string, got null"},
      {{{"input", "x"}, {"model", ""}}, "model", "model must be a non-empty string, got \"\""},
      {{{"input", "x"}, {"dimensions", 0}},
       "dimensions",
       "dimensions must be a positive integer, got 0"},
      {{{"input", "x"}, {"dimensions", 8.0}},
       "dimensions",
       "dimensions must be a positive integer, got 8.0"},
      {{{"input", "x"}, {"dimensions", "8"}},
       "dimensions",
       "dimensions must be a positive integer, got \"8\""},
      {{{"input", "x"}, {"encoding_format", "int8"}},
       "encoding_format",
       "encoding_format must be \"float\" or \"base64\", got \"int8\""},
  };
  for (const auto& c : cases) {
    INFO(c.request.dump());
    const Error e = validation_error(c.request);
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.param == c.param);
    CHECK(e.message == c.message);
  }
}

TEST_CASE("openai embeddings requests pass through with the upstream model", "[embeddings]") {
  const json request = {{"model", "openai/text-embedding-3-small"},
                        {"input", {"a", "b"}},
                        {"dimensions", 256},
                        {"user", "u1"},
                        {"x_custom", {{"k", 1}}}};
  Endpoint endpoint{"openai", "https://api.openai.com/v1/", "sk-test", AuthStyle::bearer, {}};
  const HttpRequest http =
      embeddings::build_request(Protocol::openai, request, "text-embedding-3-small", endpoint);
  CHECK(http.method == "POST");
  CHECK(http.url == "https://api.openai.com/v1/embeddings");
  CHECK(header(http, "authorization") == "Bearer sk-test");
  CHECK(header(http, "content-type") == "application/json");
  json expected = request;
  expected["model"] = "text-embedding-3-small";
  CHECK(json::parse(http.body) == expected);

  SECTION("token input is the openai protocol's alone to take") {
    const json tokens = {{"input", {{1, 2}, {3}}}};
    const HttpRequest with_tokens =
        embeddings::build_request(Protocol::openai, tokens, "m", endpoint);
    CHECK(json::parse(with_tokens.body)["input"] == tokens["input"]);
  }
  SECTION("azure takes the key in api-key") {
    endpoint.auth = AuthStyle::api_key_header;
    const HttpRequest azure = embeddings::build_request(Protocol::openai, request, "dep", endpoint);
    CHECK(header(azure, "api-key") == "sk-test");
    CHECK(header(azure, "authorization") == "<absent>");
  }
  SECTION("no key, no auth header") {
    endpoint.api_key.clear();
    const HttpRequest none = embeddings::build_request(Protocol::openai, request, "m", endpoint);
    CHECK(header(none, "authorization") == "<absent>");
  }
  SECTION("an invalid request is rejected before anything is built") {
    const Error e = error_of([&] {
      embeddings::build_request(Protocol::openai, {{"input", {"a", 1}}}, "m", endpoint);
    });
    CHECK(e.param == "input[1]");
  }
}

TEST_CASE("gemini embeddings requests use batchEmbedContents", "[embeddings]") {
  const Endpoint endpoint{"gemini",
                          "https://generativelanguage.googleapis.com/v1beta",
                          "AIza-test",
                          AuthStyle::goog_api_key,
                          {}};
  const json request = {{"input", {"first", "second"}}, {"dimensions", 128}};
  const HttpRequest http =
      embeddings::build_request(Protocol::gemini, request, "models/gemini-embedding-001", endpoint);
  CHECK(http.url ==
        "https://generativelanguage.googleapis.com/v1beta/models/"
        "gemini-embedding-001:batchEmbedContents");
  CHECK(http.url.find("key=") == std::string::npos);
  CHECK(header(http, "x-goog-api-key") == "AIza-test");
  CHECK(header(http, "authorization") == "<absent>");
  const json expected = json::parse(R"({"requests":[
    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"first"}]},
     "outputDimensionality":128},
    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"second"}]},
     "outputDimensionality":128}]})");
  CHECK(json::parse(http.body) == expected);

  const HttpRequest single = embeddings::build_request(Protocol::gemini, {{"input", "one"}},
                                                       "text-embedding-004", endpoint);
  CHECK(json::parse(single.body) ==
        json::parse(R"({"requests":[{"model":"models/text-embedding-004",
                        "content":{"parts":[{"text":"one"}]}}]})"));

  const Error e = error_of([&] {
    embeddings::build_request(Protocol::gemini, {{"input", {1, 2}}}, "m", endpoint);
  });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "input");
  CHECK(e.message == "gemini embeddings take text only; token-id input is for the openai protocol");
}

TEST_CASE("ollama embeddings requests use /api/embed", "[embeddings]") {
  const Endpoint endpoint{"ollama", "http://127.0.0.1:11434", "", AuthStyle::none, {}};
  const HttpRequest http = embeddings::build_request(
      Protocol::ollama, {{"input", {"a", "b"}}, {"dimensions", 64}, {"user", "u"}}, "all-minilm",
      endpoint);
  CHECK(http.url == "http://127.0.0.1:11434/api/embed");
  CHECK(header(http, "authorization") == "<absent>");
  CHECK(json::parse(http.body) ==
        json::parse(R"({"model":"all-minilm","input":["a","b"],"dimensions":64,"truncate":true})"));

  const HttpRequest single =
      embeddings::build_request(Protocol::ollama, {{"input", "text"}}, "all-minilm", endpoint);
  CHECK(json::parse(single.body) ==
        json::parse(R"({"model":"all-minilm","input":"text","truncate":true})"));

  const Error e = error_of([&] {
    embeddings::build_request(Protocol::ollama, {{"input", {{1}, {2}}}}, "m", endpoint);
  });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "input");
}

TEST_CASE("anthropic has no embeddings API", "[embeddings]") {
  const Endpoint endpoint{
      "anthropic", "https://api.anthropic.com/v1", "sk-ant", AuthStyle::x_api_key, {}};
  const Error e = error_of([&] {
    embeddings::build_request(Protocol::anthropic, {{"input", "x"}}, "claude-sonnet-4", endpoint);
  });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.http_status == 400);
  CHECK(e.message == "anthropic has no embeddings API");
  CHECK(e.param == "model");
  CHECK(e.provider == "anthropic");
  CHECK(e.fix.find("openai/text-embedding-3-small") != std::string::npos);
}

TEST_CASE("openai embeddings responses", "[embeddings]") {
  const json fixture = json::parse(read_fixture("embeddings/openai_response_float.json"));
  SECTION("float: data and usage as given") {
    const json out = embeddings::parse_response(Protocol::openai, ok(fixture.dump()),
                                                {{"input", {"a", "b"}}}, "fallback", "openai");
    CHECK(out == fixture);
  }
  SECTION("base64 strings are passed through and decode to the values") {
    const std::string body = read_fixture("embeddings/openai_response_base64.json");
    const json request = {{"input", {"a", "b"}}, {"encoding_format", "base64"}};
    const json out = embeddings::parse_response(Protocol::openai, ok(body), request, "m", "openai");
    CHECK(out == json::parse(body));
    CHECK(decode_float32_base64(out["data"][0]["embedding"]) ==
          std::vector<float>{0.5f, -0.25f, 1.0f, 0.125f});
    CHECK(decode_float32_base64(out["data"][1]["embedding"]) ==
          std::vector<float>{-1.5f, 0.0f, 0.75f, 2.0f});
  }
  SECTION("a service that ignores base64 gets its floats encoded here") {
    const json request = {{"input", {"a", "b"}}, {"encoding_format", "base64"}};
    const json out =
        embeddings::parse_response(Protocol::openai, ok(fixture.dump()), request, "m", "groq");
    REQUIRE(out["data"][1]["embedding"].is_string());
    CHECK(decode_float32_base64(out["data"][1]["embedding"]) ==
          as_floats(fixture["data"][1]["embedding"]));
  }
  SECTION("no usage in the body: estimated and marked so") {
    json body = fixture;
    body.erase("usage");
    body.erase("model");
    const json out = embeddings::parse_response(Protocol::openai, ok(body.dump()),
                                                {{"input", "eight ch"}}, "m", "x");
    CHECK(out["usage"] == json{{"prompt_tokens", 2}, {"total_tokens", 2}, {"estimated", true}});
    CHECK(out["model"] == "m");
    // Token-id input is counted, not estimated from text.
    const json tokens = embeddings::parse_response(Protocol::openai, ok(body.dump()),
                                                   {{"input", {{1, 2, 3}, {4, 5}}}}, "m", "x");
    CHECK(tokens["usage"]["prompt_tokens"] == 5);
  }
  SECTION("unreadable bodies are upstream errors") {
    for (const std::string body :
         {"<html>oops</html>", R"({"object":"list"})", R"({"data":[{"embedding":"abc"}]})",
          R"({"data":[{"embedding":[1,"x"]}]})"}) {
      INFO(body);
      const Error e = error_of([&] {
        embeddings::parse_response(Protocol::openai, ok(body), {{"input", "a"}}, "m", "openai");
      });
      CHECK(e.kind == ErrorKind::upstream);
      CHECK(e.message.rfind("openai returned HTTP 200 with a body that is not", 0) == 0);
    }
  }
  SECTION("an error object in a 200 body quotes the provider") {
    const Error e = error_of([&] {
      embeddings::parse_response(Protocol::openai,
                                 ok(R"({"error":{"message":"upstream exploded","code":502}})"),
                                 {{"input", "a"}}, "m", "openrouter");
    });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 502);
    CHECK(e.message == "openrouter: upstream exploded");
  }
}

TEST_CASE("estimated tokens are a quarter of the characters, rounded up, at least one",
          "[embeddings]") {
  CHECK(embeddings::estimated_tokens({"abcd"}) == 1);
  CHECK(embeddings::estimated_tokens({"abcde"}) == 2);
  CHECK(embeddings::estimated_tokens({"a", "b"}) == 2);
  CHECK(embeddings::estimated_tokens({"\u00e9\u00e9\u00e9\u00e9"}) == 1);  // code points, not bytes
  CHECK(embeddings::estimated_tokens({}) == 1);
}

TEST_CASE("gemini embeddings responses", "[embeddings]") {
  const std::string body = read_fixture("embeddings/gemini_response_batch.json");
  const json fixture = json::parse(body);
  const json request = {{"input", {"first", "second"}}};
  const json out = embeddings::parse_response(Protocol::gemini, ok(body), request,
                                              "gemini-embedding-001", "gemini");
  CHECK(out["object"] == "list");
  CHECK(out["model"] == "gemini-embedding-001");
  REQUIRE(out["data"].size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(out["data"][i]["object"] == "embedding");
    CHECK(out["data"][i]["index"] == i);
    CHECK(out["data"][i]["embedding"] == fixture["embeddings"][i]["values"]);
  }
  // Gemini reports none: estimated from the text (ceil(chars / 4) each), marked, never 0.
  CHECK(out["usage"]["estimated"] == true);
  CHECK(out["usage"]["prompt_tokens"] ==
        embeddings::estimated_tokens(embeddings::input_texts(Protocol::gemini, request)));
  CHECK(out["usage"]["prompt_tokens"] > 0);

  SECTION("base64 is encoded by the gateway") {
    json asked = request;
    asked["encoding_format"] = "base64";
    const json encoded =
        embeddings::parse_response(Protocol::gemini, ok(body), asked, "g", "gemini");
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(decode_float32_base64(encoded["data"][i]["embedding"]) ==
            as_floats(fixture["embeddings"][i]["values"]));
    }
  }
  SECTION("a count that does not match the inputs is an upstream error") {
    const Error e = error_of([&] {
      embeddings::parse_response(Protocol::gemini, ok(body), {{"input", "only one"}}, "g",
                                 "gemini");
    });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.message.find("has 2 embeddings for 1 inputs") != std::string::npos);
  }
}

TEST_CASE("ollama embeddings responses", "[embeddings]") {
  const std::string body = read_fixture("embeddings/ollama_response_embed.json");
  const json fixture = json::parse(body);
  const json request = {{"input", {"a", "b"}}};
  const json out = embeddings::parse_response(Protocol::ollama, ok(body), request, "m", "ollama");
  CHECK(out["model"] == "all-minilm");
  REQUIRE(out["data"].size() == 2);
  CHECK(out["data"][1] ==
        json{{"object", "embedding"}, {"index", 1}, {"embedding", fixture["embeddings"][1]}});
  CHECK(out["usage"] == json{{"prompt_tokens", 8}, {"total_tokens", 8}});

  SECTION("no prompt_eval_count: estimated and marked so") {
    json without = fixture;
    without.erase("prompt_eval_count");
    const json bare =
        embeddings::parse_response(Protocol::ollama, ok(without.dump()), request, "m", "ollama");
    CHECK(bare["usage"] == json{{"prompt_tokens", 2}, {"total_tokens", 2}, {"estimated", true}});
  }
  SECTION("base64 round trip") {
    const json asked = {{"input", {"a", "b"}}, {"encoding_format", "base64"}};
    const json encoded =
        embeddings::parse_response(Protocol::ollama, ok(body), asked, "m", "ollama");
    CHECK(decode_float32_base64(encoded["data"][0]["embedding"]) ==
          as_floats(fixture["embeddings"][0]));
  }
  SECTION("an error line with status 200") {
    const Error e = error_of([&] {
      embeddings::parse_response(Protocol::ollama, ok(R"({"error":"input too long"})"), request,
                                 "m", "ollama");
    });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.message == "ollama: input too long");
  }
}

TEST_CASE("embeddings errors go through the protocol's map_error", "[embeddings]") {
  SECTION("openai 429") {
    const HttpResponse response{
        429, {{"retry-after-ms", "42"}}, read_fixture("embeddings/openai_error_429.json")};
    const Error e = embeddings::map_error(Protocol::openai, response, "openai");
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 429);
    CHECK(e.retryable);
    CHECK(e.code == "rate_limit_exceeded");
    REQUIRE(e.retry_after);
    CHECK(*e.retry_after == Approx(0.042));
    // parse_response raises the same error for a non-2xx reply.
    const Error thrown = error_of([&] {
      embeddings::parse_response(Protocol::openai, response, {{"input", "a"}}, "m", "openai");
    });
    CHECK(thrown.message == e.message);
    CHECK(thrown.retryable);
  }
  SECTION("gemini 400") {
    const HttpResponse response{400, {}, read_fixture("embeddings/gemini_error_400.json")};
    const Error e = embeddings::map_error(Protocol::gemini, response, "gemini");
    CHECK(e.http_status == 400);
    CHECK(e.type == "INVALID_ARGUMENT");
    CHECK_FALSE(e.retryable);
    CHECK(e.message.find("at most 100 requests") != std::string::npos);
  }
  SECTION("ollama 404") {
    const HttpResponse response{404, {}, read_fixture("embeddings/ollama_error_404.json")};
    const Error e = embeddings::map_error(Protocol::ollama, response, "ollama");
    CHECK(e.http_status == 404);
    CHECK_FALSE(e.retryable);
    CHECK(e.message.find("not found, try pulling it first") != std::string::npos);
  }
}

TEST_CASE("base64 embeddings are little-endian float32", "[embeddings]") {
  // The same string Python's base64.b64encode(struct.pack('<4f', ...)) gives.
  CHECK(embeddings::encode_float32_base64({0.5, -0.25, 1.0, 0.125}) == "AAAAPwAAgL4AAIA/AAAAPg==");
}

TEST_CASE("mock embeddings are deterministic and normalised", "[embeddings][mock]") {
  const json request = {{"input", {"hello world", "another text", "hello world"}}};
  const json out = embeddings::mock_embeddings(request, "mock-embed");
  CHECK(out == embeddings::mock_embeddings(request, "mock-embed"));
  CHECK(out["object"] == "list");
  CHECK(out["model"] == "mock-embed");
  REQUIRE(out["data"].size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const json& item = out["data"][i];
    CHECK(item["index"] == i);
    REQUIRE(item["embedding"].size() == embeddings::k_mock_default_dimensions);
    double norm = 0;
    for (const auto& value : item["embedding"]) {
      CHECK(value.get<double>() >= -1.0);
      CHECK(value.get<double>() <= 1.0);
      norm += value.get<double>() * value.get<double>();
    }
    CHECK(std::sqrt(norm) == Approx(1.0).epsilon(1e-12));
  }
  CHECK(out["data"][0]["embedding"] == out["data"][2]["embedding"]);  // same text, same vector
  CHECK(out["data"][0]["embedding"] != out["data"][1]["embedding"]);
  // ceil(11 / 4) + ceil(12 / 4) + ceil(11 / 4) = 3 + 3 + 3
  CHECK(out["usage"] == json{{"prompt_tokens", 9}, {"total_tokens", 9}});

  SECTION("dimensions and base64") {
    const json asked = {{"input", "é"}, {"dimensions", 3}, {"encoding_format", "base64"}};
    const json encoded = embeddings::mock_embeddings(asked, "m");
    const auto floats = decode_float32_base64(encoded["data"][0]["embedding"]);
    CHECK(floats.size() == 3);
    const json plain = embeddings::mock_embeddings({{"input", "é"}, {"dimensions", 3}}, "m");
    CHECK(floats == as_floats(plain["data"][0]["embedding"]));
    CHECK(encoded["usage"]["prompt_tokens"] == 1);  // one character, at least one token
  }
  SECTION("limits") {
    CHECK(error_of([&] {
            embeddings::mock_embeddings({{"input", "x"}, {"dimensions", 5000}}, "m");
          }).param == "dimensions");
    CHECK(error_of([&] {
            embeddings::mock_embeddings({{"input", {1, 2}}}, "m");
          }).param == "input");
  }
}

TEST_CASE("the mock is not reached over HTTP", "[embeddings][mock]") {
  const Endpoint endpoint{"mock", "", "", AuthStyle::none, {}};
  const Error e = error_of([&] {
    embeddings::build_request(Protocol::mock, {{"input", "x"}}, "m", endpoint);
  });
  CHECK(e.kind == ErrorKind::internal);
}
