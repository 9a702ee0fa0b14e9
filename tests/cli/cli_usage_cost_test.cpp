// End to end: `llmgw chat -u` prints the cost of what a fake Anthropic server reported,
// with cache reads and writes priced apart, config overrides applied, and an unpriced
// model named with the fix.
#include <catch2/catch.hpp>

#include "support/cli_env.hpp"
#include "support/fake_provider.hpp"
#include "support/fixtures.hpp"

using llmgw::Protocol;
using llmgw::test::CliEnv;
using llmgw::test::FakeProvider;
using llmgw::test::read_fixture;

namespace {

constexpr const char* k_key = "sk-ant-test-00000000000000AKEY";

struct CachingAnthropic {
  FakeProvider server{Protocol::anthropic, k_key};
  CliEnv env;
  explicit CachingAnthropic(const std::string& extra_config = "") {
    env.env["ANTHROPIC_API_KEY"] = k_key;
    env.write_config("[providers.anthropic]\nbase_url = \"" + server.base_url() + "/v1\"\n" +
                     extra_config);
    // 57 input, 1200 cache writes (5-minute), 2048 cache reads, 131 output.
    server.answer(read_fixture("anthropic/response_tool_use.json"),
                  read_fixture("anthropic/stream_tool_use.sse"));
  }
};

}  // namespace

TEST_CASE("chat -u prints cache reads, cache writes and their cost", "[cli][pricing]") {
  CachingAnthropic user;
  const auto streamed = user.env.run({"chat", "-m", "anthropic/claude-sonnet-4-5", "-u", "hi"});
  const auto whole =
      user.env.run({"chat", "-m", "anthropic/claude-sonnet-4-5", "-u", "--no-stream", "hi"});
  REQUIRE(streamed.exit_code == 0);
  REQUIRE(whole.exit_code == 0);
  // claude-sonnet-4-5: 57 × $3 + 2048 × $0.30 + 1200 × $3.75 + 131 × $15 (per 1M)
  //   = 171 + 614.4 + 4500 + 1965 = 7250.4 → $0.007250
  CHECK(streamed.err.find("usage: 3305 input + 131 output = 3436 tokens (2048 cached) (1200 "
                          "cache write) · anthropic/claude-sonnet-4-5 · cost $0.007250") !=
        std::string::npos);
  CHECK(whole.err == streamed.err);
}

TEST_CASE("chat -u applies [prices] from config and names an unpriced model", "[cli][pricing]") {
  SECTION("an override changes the cost") {
    CachingAnthropic user("[prices.\"anthropic/claude-sonnet-4-5\"]\noutput = 30\n");
    const auto result =
        user.env.run({"chat", "-m", "anthropic/claude-sonnet-4-5", "-u", "--no-stream", "hi"});
    REQUIRE(result.exit_code == 0);
    // As above with output at $30: 171 + 614.4 + 4500 + 131 × 30 = 9215.4 → $0.009215
    CHECK(result.err.find("cost $0.009215") != std::string::npos);
  }
  SECTION("a model with no price") {
    CachingAnthropic user;
    const auto result =
        user.env.run({"chat", "-m", "anthropic/claude-nameless-9", "-u", "--no-stream", "hi"});
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("cost unknown (no price for anthropic/claude-nameless-9; add "
                          "[prices.\"anthropic/claude-nameless-9\"] to config.toml)") !=
          std::string::npos);
    CHECK(result.err.find("$0") == std::string::npos);
  }
}
