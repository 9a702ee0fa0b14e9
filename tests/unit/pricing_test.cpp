#include <catch2/catch.hpp>

#include "cli/exit_codes.hpp"
#include "cli/usage_line.hpp"
#include "core/pricing.hpp"

using namespace llmgw;

TEST_CASE("cost prices cached prompt tokens separately and never guesses", "[pricing]") {
  // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per 1M tokens.
  const nlohmann::json usage = {{"prompt_tokens", 1000},
                                {"completion_tokens", 500},
                                {"total_tokens", 1500},
                                {"prompt_tokens_details", {{"cached_tokens", 400}}},
                                {"completion_tokens_details", {{"reasoning_tokens", 100}}}};
  // 600 × 0.15 + 400 × 0.075 + 500 × 0.60 = 90 + 30 + 300 = 420 → $0.000420
  const auto cost = cost_usd("openai", "gpt-4o-mini", usage);
  REQUIRE(cost);
  CHECK(*cost == Approx(0.000420));
  CHECK_FALSE(cost_usd("openai", "no-such-model", usage));
  CHECK(cost_usd("mock", "echo", usage) == Approx(0.0));
  CHECK_FALSE(price_table_version().empty());
}

TEST_CASE("the -u line shows tokens, model and cost or says it is unknown", "[pricing]") {
  ChatResult result;
  result.route.provider.name = "openai";
  result.route.model = "gpt-4o-mini";
  result.response = {{"usage",
                      {{"prompt_tokens", 1000},
                       {"completion_tokens", 500},
                       {"total_tokens", 1500},
                       {"prompt_tokens_details", {{"cached_tokens", 400}}}}}};
  CHECK(cli::format_usage_line(result) ==
        "usage: 1000 input + 500 output = 1500 tokens (400 cached) · openai/gpt-4o-mini · cost "
        "$0.000420");
  result.route.model = "gpt-unknown";
  CHECK(cli::format_usage_line(result).find("cost unknown") != std::string::npos);
  result.response = nlohmann::json::object();
  CHECK(cli::format_usage_line(result) == "usage: not reported by openai · openai/gpt-unknown");
}

TEST_CASE("every error kind maps to its documented exit code", "[cli]") {
  using cli::exit_code_for;
  CHECK(exit_code_for(ErrorKind::usage) == 2);
  CHECK(exit_code_for(ErrorKind::invalid_request) == 2);
  CHECK(exit_code_for(ErrorKind::unknown_model) == 2);
  CHECK(exit_code_for(ErrorKind::config) == 3);
  CHECK(exit_code_for(ErrorKind::missing_key) == 3);
  CHECK(exit_code_for(ErrorKind::upstream) == 4);
  CHECK(exit_code_for(ErrorKind::network) == 4);
  CHECK(exit_code_for(ErrorKind::timeout) == 4);
  CHECK(exit_code_for(ErrorKind::stream_broken) == 4);
  CHECK(exit_code_for(ErrorKind::cancelled) == 130);
  CHECK(exit_code_for(ErrorKind::io) == 1);
  CHECK(exit_code_for(ErrorKind::internal) == 1);
}
