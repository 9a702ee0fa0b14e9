// The most a chat request can cost: bytes bound the prompt, the request's own limits (or
// the default) the completion, images count a fixed amount, unpriced models have none.
#include "core/cost_estimate.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/pricing.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

const PriceBook& book() {
  return PriceBook::builtin();
}

// gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens (data/prices.json).
double mini(std::int64_t prompt, std::int64_t completion) {
  return static_cast<double>(prompt) * 0.15 / 1e6 + static_cast<double>(completion) * 0.60 / 1e6;
}

}  // namespace

TEST_CASE("cost estimate: a prompt token per byte of the request, max_tokens of completion",
          "[cost_estimate]") {
  const json request = {{"model", "gpt-4o-mini"},
                        {"messages", {{{"role", "user"}, {"content", "Say hello in French"}}}},
                        {"max_tokens", 100}};
  const auto bytes = static_cast<std::int64_t>(request.dump().size());
  const auto estimate = max_chat_cost_usd(book(), "openai", "gpt-4o-mini", request);
  REQUIRE(estimate);
  CHECK(*estimate == Approx(mini(bytes, 100)));
  // Above what the request can really cost: a few prompt tokens, up to 100 completion.
  const json real_usage = {{"prompt_tokens", 12}, {"completion_tokens", 100}};
  CHECK(*estimate > *cost_usd(book(), "openai", "gpt-4o-mini", real_usage));
}

TEST_CASE("cost estimate: max_completion_tokens first, else the default; times n",
          "[cost_estimate]") {
  json request = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  const auto bytes = [&] { return static_cast<std::int64_t>(request.dump().size()); };
  CHECK(*max_chat_cost_usd(book(), "openai", "gpt-4o-mini", request) ==
        Approx(mini(bytes(), k_default_max_completion_tokens)));
  request["max_tokens"] = 50;
  request["max_completion_tokens"] = 700;
  CHECK(*max_chat_cost_usd(book(), "openai", "gpt-4o-mini", request) == Approx(mini(bytes(), 700)));
  request["n"] = 3;
  CHECK(*max_chat_cost_usd(book(), "openai", "gpt-4o-mini", request) ==
        Approx(mini(bytes(), 2100)));
}

TEST_CASE("cost estimate: an image counts a fixed number of tokens, not its URL's bytes",
          "[cost_estimate]") {
  const std::string data_url = "data:image/png;base64," + std::string(200'000, 'A');
  const json request = {
      {"model", "gpt-4o-mini"},
      {"max_tokens", 10},
      {"messages",
       {{{"role", "user"},
         {"content",
          {{{"type", "text"}, {"text", "What is this?"}},
           {{"type", "image_url"}, {"image_url", {{"url", data_url}}}},
           {{"type", "image_url"}, {"image_url", {{"url", "https://example.com/a.png"}}}}}}}}}};
  const auto bytes = static_cast<std::int64_t>(request.dump().size());
  const std::int64_t prompt =
      bytes - static_cast<std::int64_t>(data_url.size()) -
      static_cast<std::int64_t>(std::string("https://example.com/a.png").size()) +
      2 * k_image_prompt_tokens;
  CHECK(*max_chat_cost_usd(book(), "openai", "gpt-4o-mini", request) == Approx(mini(prompt, 10)));
}

TEST_CASE("cost estimate: none for a model without a price", "[cost_estimate]") {
  const json request = {{"model", "x"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  CHECK_FALSE(max_chat_cost_usd(book(), "openai", "no-such-model", request));
  CHECK_FALSE(max_chat_cost_usd(book(), "openai", "gpt-4o-mini", json::array()));
  // A free provider costs $0, which is a known price.
  CHECK(max_chat_cost_usd(book(), "mock", "echo", request) == 0.0);
}
