// End to end: the built binary talking to a fake Gemini server through
// [providers.gemini] base_url, with the key in x-goog-api-key and never in the URL.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_provider.hpp"
#include "support/fixtures.hpp"

using llmgw::Protocol;
using llmgw::test::CliEnv;
using llmgw::test::FakeProvider;
using llmgw::test::read_fixture;

namespace {

constexpr const char* k_key = "gemini-test-key-000000000GKEY";

struct GeminiUser {
  FakeProvider server{Protocol::gemini, k_key};  // checks paths, the key header and the body
  CliEnv env;
  GeminiUser() {
    env.env["GEMINI_API_KEY"] = k_key;
    env.write_config("[providers.gemini]\nbase_url = \"" + server.base_url() + "/v1beta\"\n");
    server.answer(read_fixture("gemini/response_text.json"),
                  read_fixture("gemini/stream_text.sse"));
  }
};

}  // namespace

TEST_CASE("gemini: streamed and whole answers print the same text and usage", "[cli][gemini]") {
  GeminiUser user;

  const auto streamed = user.env.run({"chat", "-m", "gemini-2.5-flash", "-u", "why blue?"});
  const auto whole =
      user.env.run({"chat", "-m", "gemini-2.5-flash", "-u", "--no-stream", "why blue?"});
  REQUIRE(streamed.exit_code == 0);
  REQUIRE(whole.exit_code == 0);
  CHECK(streamed.out ==
        "The sky looks blue because air scatters short (blue) wavelengths of sunlight more than "
        "long ones.\n");
  CHECK(whole.out == streamed.out);
  CHECK(streamed.err.find("12 input + 19 output = 31 tokens") != std::string::npos);
  CHECK(whole.err == streamed.err);

  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  CHECK(requests[0].target.find("alt=sse") != std::string::npos);
  CHECK(requests[1].path == "/v1beta/models/gemini-2.5-flash:generateContent");
  for (const auto& request : requests) {
    CHECK(request.header("x-goog-api-key") == std::string(k_key));
    CHECK(request.target.find(k_key) == std::string::npos);
    CHECK(request.json["contents"][0]["parts"][0]["text"] == "why blue?");
  }
}

TEST_CASE("gemini: a daily quota error exits 4 at once with Google's message", "[cli][gemini]") {
  GeminiUser user;
  user.server.push_failure(429, read_fixture("gemini/error_429_per_day.json"));
  const auto result = user.env.run({"chat", "-m", "gemini/gemini-2.5-flash", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("gemini: You exceeded your current quota") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
  CHECK(user.server.requests().size() == 1);  // a per-day quota is not retried
}

TEST_CASE("gemini: a safety stop ends the answer and says why", "[cli][gemini]") {
  GeminiUser user;
  user.server.answer(read_fixture("gemini/response_safety.json"), "");
  const auto result =
      user.env.run({"chat", "--json", "--no-stream", "-m", "gemini-2.5-flash", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(nlohmann::json::parse(result.out)["choices"][0]["finish_reason"] == "content_filter");
}

TEST_CASE("gemini: a wrong key gets Google's API_KEY_INVALID, exit 4", "[cli][gemini]") {
  GeminiUser user;
  user.env.env["GEMINI_API_KEY"] = "gemini-wrong-key-0000000WRNG";
  const auto result = user.env.run({"chat", "-m", "gemini-2.5-flash", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("API key not valid") != std::string::npos);
  CHECK(result.err.find("gemini-wrong-key-0000000WRNG") == std::string::npos);
}
