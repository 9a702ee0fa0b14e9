#include "core/providers/images.hpp"

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "support/base64.hpp"
#include "support/expect_error.hpp"
#include "support/fixtures.hpp"
#include "support/http_reply.hpp"
#include "support/png_reader.hpp"

using namespace llmgw;
using nlohmann::json;
using test::error_of;
using test::header;
using test::ok;
using test::read_fixture;

namespace {

Error validation_error(const json& request) {
  return error_of([&] { images::validate(request); });
}

const Endpoint k_openai{"openai", "https://api.openai.com/v1", "sk-test", AuthStyle::bearer, {}};

}  // namespace

TEST_CASE("valid image requests pass validation", "[images]") {
  CHECK_NOTHROW(images::validate({{"prompt", "a red fox"}}));
  CHECK_NOTHROW(images::validate({{"model", "dall-e-3"},
                                  {"prompt", "a red fox"},
                                  {"n", 1},
                                  {"size", "1792x1024"},
                                  {"quality", "hd"},
                                  {"response_format", "b64_json"},
                                  {"style", "natural"},
                                  {"user", "u1"}}));
  CHECK_NOTHROW(images::validate({{"prompt", "x"}, {"n", 10}, {"size", "auto"}}));
  CHECK_NOTHROW(images::validate({{"prompt", "x"}, {"size", "2048x1152"}}));  // newer models
  CHECK_NOTHROW(images::validate({{"prompt", "x"}, {"response_format", "url"}}));
  CHECK_NOTHROW(images::validate({{"prompt", "x"}, {"stream", false}}));
  CHECK_NOTHROW(images::validate(
      {{"prompt", "x"}, {"n", nullptr}, {"size", nullptr}, {"response_format", nullptr}}));
}

TEST_CASE("image validation names the offending field", "[images]") {
  struct Case {
    json request;
    std::string param;
    std::string message;
  };
  const std::vector<Case> cases = {
      {json::array(), "", "the request body must be a JSON object, got []"},
      {json::object(), "prompt", "prompt is required"},
      {{{"prompt", nullptr}}, "prompt", "prompt is required"},
      {{{"prompt", 7}}, "prompt", "prompt must be a string, got 7"},
      {{{"prompt", ""}}, "prompt", "prompt must not be an empty string"},
      {{{"prompt", "x"}, {"model", ""}}, "model", "model must be a non-empty string, got \"\""},
      {{{"prompt", "x"}, {"n", 0}}, "n", "n must be an integer from 1 to 10, got 0"},
      {{{"prompt", "x"}, {"n", 11}}, "n", "n must be an integer from 1 to 10, got 11"},
      {{{"prompt", "x"}, {"n", -1}}, "n", "n must be an integer from 1 to 10, got -1"},
      {{{"prompt", "x"}, {"n", 2.0}}, "n", "n must be an integer from 1 to 10, got 2.0"},
      {{{"prompt", "x"}, {"n", "2"}}, "n", "n must be an integer from 1 to 10, got \"2\""},
      {{{"prompt", "x"}, {"size", "big"}},
       "size",
       "size must be \"auto\" or <width>x<height>, e.g. \"1024x1024\", got \"big\""},
      {{{"prompt", "x"}, {"size", "1024x"}},
       "size",
       "size must be \"auto\" or <width>x<height>, e.g. \"1024x1024\", got \"1024x\""},
      {{{"prompt", "x"}, {"size", "0x512"}},
       "size",
       "size must be \"auto\" or <width>x<height>, e.g. \"1024x1024\", got \"0x512\""},
      {{{"prompt", "x"}, {"size", "1024X1024"}},
       "size",
       "size must be \"auto\" or <width>x<height>, e.g. \"1024x1024\", got \"1024X1024\""},
      {{{"prompt", "x"}, {"size", 1024}},
       "size",
       "size must be \"auto\" or <width>x<height>, e.g. \"1024x1024\", got 1024"},
      {{{"prompt", "x"}, {"quality", 3}}, "quality", "quality must be a non-empty string, got 3"},
      {{{"prompt", "x"}, {"response_format", "png"}},
       "response_format",
       "response_format must be \"url\" or \"b64_json\", got \"png\""},
      {{{"prompt", "x"}, {"stream", true}},
       "stream",
       "streamed image generation is not supported; leave stream out, got true"},
  };
  for (const auto& c : cases) {
    INFO(c.request.dump());
    const Error e = validation_error(c.request);
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.http_status == 400);
    CHECK(e.param == c.param);
    CHECK(e.message == c.message);
  }
}

TEST_CASE("openai image requests pass through with the upstream model", "[images]") {
  const json request = {{"model", "openai/dall-e-3"},
                        {"prompt", "a lighthouse"},
                        {"n", 1},
                        {"size", "1024x1792"},
                        {"quality", "hd"},
                        {"response_format", "b64_json"},
                        {"style", "vivid"}};
  const HttpRequest http = images::build_request(Protocol::openai, request, "dall-e-3", k_openai);
  CHECK(http.method == "POST");
  CHECK(http.url == "https://api.openai.com/v1/images/generations");
  CHECK(header(http, "authorization") == "Bearer sk-test");
  CHECK(header(http, "content-type") == "application/json");
  CHECK(header(http, "user-agent").rfind("llmgw/", 0) == 0);
  json expected = request;
  expected["model"] = "dall-e-3";
  CHECK(json::parse(http.body) == expected);

  SECTION("no key, no auth header") {
    Endpoint keyless = k_openai;
    keyless.api_key.clear();
    const HttpRequest bare =
        images::build_request(Protocol::openai, {{"prompt", "x"}}, "dall-e-2", keyless);
    CHECK(header(bare, "authorization") == "<absent>");
  }
  SECTION("invalid requests are refused before building") {
    const Error e = error_of([&] {
      images::build_request(Protocol::openai, {{"prompt", "x"}, {"n", 0}}, "m", k_openai);
    });
    CHECK(e.param == "n");
  }
}

TEST_CASE("azure image requests name the deployment and the api-version", "[images]") {
  const Endpoint azure{
      "azure", "https://res.openai.azure.com", "azure-key", AuthStyle::api_key_header,
      {},      UrlLayout::azure_deployment,    "2024-10-21"};
  const HttpRequest http =
      images::build_request(Protocol::openai, {{"prompt", "a fox"}}, "my-dalle3", azure);
  CHECK(http.url ==
        "https://res.openai.azure.com/openai/deployments/my-dalle3/images/generations"
        "?api-version=2024-10-21");
  CHECK(header(http, "api-key") == "azure-key");
  CHECK(header(http, "authorization") == "<absent>");
  CHECK(http.url.find("azure-key") == std::string::npos);
}

TEST_CASE("providers without image generation are refused with a fix", "[images]") {
  for (const Protocol protocol : {Protocol::anthropic, Protocol::gemini, Protocol::ollama}) {
    INFO(to_string(protocol));
    const Endpoint endpoint{
        to_string(protocol), "https://example.test", "k", AuthStyle::bearer, {}};
    const Error e = error_of([&] {
      images::build_request(protocol, {{"prompt", "x"}}, "some-model", endpoint);
    });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.http_status == 400);
    CHECK(e.param == "model");
    CHECK(e.provider == to_string(protocol));
    CHECK(e.message == std::string(to_string(protocol)) + " has no image generation API here");
    CHECK(e.fix.find("openai/gpt-image-1") != std::string::npos);
    // The Gateway's early check gives the same error.
    const Error early = error_of([&] { images::require_support(protocol, to_string(protocol)); });
    CHECK(early.message == e.message);
  }
  CHECK_NOTHROW(images::require_support(Protocol::openai, "openai"));
  CHECK_NOTHROW(images::require_support(Protocol::mock, "mock"));
  const Error mock = error_of([&] {
    images::build_request(Protocol::mock, {{"prompt", "x"}}, "image", {});
  });
  CHECK(mock.kind == ErrorKind::internal);
}

TEST_CASE("openai image responses pass through in OpenAI's shape", "[images]") {
  SECTION("b64_json with GPT-image usage") {
    const std::string body = read_fixture("images/openai_response_b64.json");
    const json out = images::parse_response(Protocol::openai, ok(body), 99, "openai");
    CHECK(out == json::parse(body));  // nothing lost, nothing added
    CHECK(out["created"] == 1745000000);
    CHECK(out["usage"]["output_tokens"] == 272);
    // The fixture's image is a real PNG.
    const auto png =
        test::decode_png(test::base64_decode(out["data"][0]["b64_json"].get<std::string>()));
    CHECK(png.width == 2);
    CHECK(png.height == 2);
  }
  SECTION("url with a revised prompt") {
    const json out = images::parse_response(
        Protocol::openai, ok(read_fixture("images/openai_response_url.json")), 99, "openai");
    REQUIRE(out["data"].size() == 1);
    CHECK(out["data"][0]["url"].get<std::string>().rfind("https://", 0) == 0);
    CHECK(out["data"][0]["revised_prompt"].get<std::string>().find("lighthouse") !=
          std::string::npos);
    CHECK_FALSE(out.contains("usage"));
  }
  SECTION("created comes from the caller when the body has none") {
    const json out =
        images::parse_response(Protocol::openai, ok(R"({"data":[{"url":"u"}]})"), 1234, "groq");
    CHECK(out["created"] == 1234);
  }
}

TEST_CASE("malformed image responses are upstream errors", "[images]") {
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"<html>oops</html>", "openai returned HTTP 200 with a body that is not a JSON object"},
      {R"({"created":1})", "openai returned HTTP 200 with a body that is not an images response"},
      {R"({"data":[{"url":"u"},{"revised_prompt":"p"}]})",
       "openai returned HTTP 200 with a body that is not an images response (data[1] has no "
       "\"url\" or \"b64_json\")"},
      {R"({"data":[{"b64_json":7}]})",
       "openai returned HTTP 200 with a body that is not an images response (data[0] has no "
       "\"url\" or \"b64_json\")"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const Error e =
        error_of([&] { images::parse_response(Protocol::openai, ok(c.body), 1, "openai"); });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.provider == "openai");
    CHECK(e.message.rfind(c.expected, 0) == 0);
  }
  const Error in_body = error_of([&] {
    images::parse_response(Protocol::openai, ok(R"({"error":{"message":"no credits left"}})"), 1,
                           "openrouter");
  });
  CHECK(in_body.http_status == 502);
  CHECK(in_body.message == "openrouter: no credits left");
}

TEST_CASE("image errors go through the protocol's map_error", "[images]") {
  SECTION("400 content policy keeps the provider's message and code") {
    const HttpResponse response{400, {}, read_fixture("images/openai_error_400.json")};
    const Error e = images::map_error(Protocol::openai, response, "openai");
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 400);
    CHECK(e.code == "content_policy_violation");
    CHECK_FALSE(e.retryable);
    CHECK(e.message.find("rejected as a result of our safety system") != std::string::npos);
    const Error thrown =
        error_of([&] { images::parse_response(Protocol::openai, response, 1, "openai"); });
    CHECK(thrown.message == e.message);
    CHECK(thrown.code == e.code);
  }
  SECTION("429 with Retry-After") {
    const HttpResponse response{
        429,
        {{"retry-after", "20"}},
        R"({"error":{"message":"Rate limit exceeded for images per minute","type":"requests","param":null,"code":"rate_limit_exceeded"}})"};
    const Error e =
        error_of([&] { images::parse_response(Protocol::openai, response, 1, "openai"); });
    CHECK(e.http_status == 429);
    CHECK(e.retryable);
    REQUIRE(e.retry_after);
    CHECK(*e.retry_after == Approx(20.0));
  }
}

TEST_CASE("mock images are valid PNGs, deterministic and distinct", "[images][mock]") {
  const auto colour_of = [](const std::string& base64) {
    const test::DecodedPng png = test::decode_png(test::base64_decode(base64));
    REQUIRE(png.width == images::k_mock_image_side);
    REQUIRE(png.height == images::k_mock_image_side);
    REQUIRE(png.chunk_types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
    REQUIRE(png.rgb.size() == std::size_t{png.width} * png.height * 3);
    for (std::size_t i = 3; i < png.rgb.size(); i += 3)
      REQUIRE(png.rgb.substr(i, 3) == png.rgb.substr(0, 3));  // one colour
    return png.rgb.substr(0, 3);
  };

  const json request = {{"prompt", "a red fox"}, {"n", 3}, {"response_format", "b64_json"}};
  const json out = images::mock_images(request, 1700000000);
  CHECK(out["created"] == 1700000000);
  REQUIRE(out["data"].size() == 3);
  std::set<std::string> colours;
  for (const auto& item : out["data"]) {
    REQUIRE(item.contains("b64_json"));
    CHECK_FALSE(item.contains("url"));
    colours.insert(colour_of(item["b64_json"].get<std::string>()));
  }
  CHECK(colours.size() == 3);  // distinct per index

  CHECK(images::mock_images(request, 1700000000) == out);  // deterministic
  const json other = images::mock_images(
      {{"prompt", "a blue whale"}, {"response_format", "b64_json"}}, 1700000000);
  CHECK(colour_of(other["data"][0]["b64_json"].get<std::string>()) !=
        colour_of(out["data"][0]["b64_json"].get<std::string>()));

  SECTION("the default is one image as a data: URL holding the same PNG") {
    const json by_url = images::mock_images({{"prompt", "a red fox"}}, 5);
    REQUIRE(by_url["data"].size() == 1);
    const std::string url = by_url["data"][0]["url"].get<std::string>();
    const std::string prefix = "data:image/png;base64,";
    REQUIRE(url.rfind(prefix, 0) == 0);
    CHECK(url.substr(prefix.size()) == out["data"][0]["b64_json"].get<std::string>());
    CHECK_FALSE(by_url.contains("usage"));
  }
  SECTION("invalid requests get validate()'s error") {
    const Error e = error_of([&] { images::mock_images({{"prompt", "x"}, {"n", 11}}, 1); });
    CHECK(e.param == "n");
  }
}
