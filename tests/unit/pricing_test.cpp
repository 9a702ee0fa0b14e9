// Cost arithmetic against hand-computed figures. Every figure comes from data/prices.json
// (USD per 1M tokens) and says how it was computed: count × rate / 1e6.
#include <catch2/catch.hpp>

#include <set>

#include "cli/exit_codes.hpp"
#include "cli/usage_line.hpp"
#include "core/price_book.hpp"
#include "core/pricing.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/providers/gemini_adapter.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

const PriceBook& book() {
  return PriceBook::builtin();
}

}  // namespace

TEST_CASE("openai: cached prompt tokens at the cached price, reasoning at output", "[pricing]") {
  // o3: $2.00 input, $0.50 cached input, $8.00 output.
  const json usage = {{"prompt_tokens", 10000},
                      {"completion_tokens", 2000},
                      {"total_tokens", 12000},
                      {"prompt_tokens_details", {{"cached_tokens", 4000}}},
                      {"completion_tokens_details", {{"reasoning_tokens", 1500}}}};
  const auto cost = chat_cost(book(), "openai", "o3", usage);
  REQUIRE(cost);
  CHECK(cost->input_usd == Approx(0.012));         // 6000 × 2.00 / 1e6
  CHECK(cost->cached_input_usd == Approx(0.002));  // 4000 × 0.50 / 1e6
  // 2000 × 8.00 / 1e6: the 1500 reasoning tokens are inside completion_tokens, not added.
  CHECK(cost->output_usd == Approx(0.016));
  CHECK(cost->cache_write_usd == 0);
  CHECK(cost->total_usd == Approx(0.030));
  CHECK(cost->price_version == book().version());
  CHECK_FALSE(cost->long_context);

  // gpt-4o-mini: 600 × 0.15 + 400 × 0.075 + 500 × 0.60 = 90 + 30 + 300 = 420 → $0.000420
  const json small = {{"prompt_tokens", 1000},
                      {"completion_tokens", 500},
                      {"prompt_tokens_details", {{"cached_tokens", 400}}}};
  CHECK(cost_usd(book(), "openai", "gpt-4o-mini", small) == Approx(0.000420));
}

TEST_CASE("anthropic: cache reads and 5-minute writes priced apart, through the adapter",
          "[pricing]") {
  // The adapter's canonical usage: prompt = 57 + 1200 + 2048 = 3305, of which 2048 cached
  // and 1200 cache writes (all 5-minute).
  const json usage = anthropic::to_openai_usage(
      {{"input_tokens", 57},
       {"cache_creation_input_tokens", 1200},
       {"cache_read_input_tokens", 2048},
       {"cache_creation", {{"ephemeral_5m_input_tokens", 1200}, {"ephemeral_1h_input_tokens", 0}}},
       {"output_tokens", 131}});
  REQUIRE(usage["prompt_tokens"] == 3305);
  REQUIRE(usage["prompt_tokens_details"]["cache_write_tokens"] == 1200);
  // claude-sonnet-4-5: $3 input, $3.75 5m cache write, $0.30 cache hit, $15 output.
  const auto cost = chat_cost(book(), "anthropic", "claude-sonnet-4-5", usage);
  REQUIRE(cost);
  CHECK(cost->input_usd == Approx(0.000171));          // 57 × 3 / 1e6
  CHECK(cost->cached_input_usd == Approx(0.0006144));  // 2048 × 0.30 / 1e6
  CHECK(cost->cache_write_usd == Approx(0.0045));      // 1200 × 3.75 / 1e6
  CHECK(cost->output_usd == Approx(0.001965));         // 131 × 15 / 1e6
  CHECK(cost->total_usd == Approx(0.0072504));
}

TEST_CASE("anthropic: 1-hour cache writes at their own price", "[pricing]") {
  // 3000 cache writes: 1000 for 5 minutes, 2000 for 1 hour.
  const json usage = anthropic::to_openai_usage(
      {{"input_tokens", 500},
       {"cache_creation_input_tokens", 3000},
       {"cache_read_input_tokens", 0},
       {"cache_creation",
        {{"ephemeral_5m_input_tokens", 1000}, {"ephemeral_1h_input_tokens", 2000}}},
       {"output_tokens", 100}});
  CHECK(usage["prompt_tokens_details"]["cache_write_1h_tokens"] == 2000);
  CHECK(usage["prompt_tokens_details"]["cache_write_5m_tokens"] == 1000);
  // claude-opus-4-1: $15 input, $18.75 5m write, $30 1h write, $75 output.
  const auto cost = chat_cost(book(), "anthropic", "claude-opus-4-1", usage);
  REQUIRE(cost);
  CHECK(cost->input_usd == Approx(0.0075));  // 500 × 15 / 1e6
  // 1000 × 18.75 / 1e6 + 2000 × 30 / 1e6 = 0.01875 + 0.06
  CHECK(cost->cache_write_usd == Approx(0.07875));
  CHECK(cost->output_usd == Approx(0.0075));  // 100 × 75 / 1e6
  CHECK(cost->total_usd == Approx(0.09375));
}

TEST_CASE("gemini: thoughts are output tokens, counted once", "[pricing]") {
  // The adapter folds thoughts into completion_tokens: 253 + 260 = 513.
  const json usage = gemini::to_openai_usage({{"promptTokenCount", 20},
                                              {"candidatesTokenCount", 253},
                                              {"thoughtsTokenCount", 260},
                                              {"totalTokenCount", 533}});
  REQUIRE(usage["completion_tokens"] == 513);
  // gemini-2.5-flash: $0.30 input, $2.50 output.
  const auto cost = chat_cost(book(), "gemini", "gemini-2.5-flash", usage);
  REQUIRE(cost);
  CHECK(cost->input_usd == Approx(0.000006));    // 20 × 0.30 / 1e6
  CHECK(cost->output_usd == Approx(0.0012825));  // 513 × 2.50 / 1e6
  CHECK(cost->total_usd == Approx(0.0012885));
}

TEST_CASE("gemini: 2.5 Pro's long-context rates apply above 200k prompt tokens", "[pricing]") {
  // Above the threshold every token is at the higher tier: $2.50 input, $0.25 cached,
  // $15 output.
  const json long_prompt = {{"prompt_tokens", 250000},
                            {"completion_tokens", 1000},
                            {"prompt_tokens_details", {{"cached_tokens", 50000}}}};
  const auto cost = chat_cost(book(), "gemini", "gemini-2.5-pro", long_prompt);
  REQUIRE(cost);
  CHECK(cost->long_context);
  CHECK(cost->input_usd == Approx(0.5));            // 200000 × 2.50 / 1e6
  CHECK(cost->cached_input_usd == Approx(0.0125));  // 50000 × 0.25 / 1e6
  CHECK(cost->output_usd == Approx(0.015));         // 1000 × 15 / 1e6
  CHECK(cost->total_usd == Approx(0.5275));
  // At exactly 200k the base tier holds: 200000 × 1.25 / 1e6 + 1000 × 10 / 1e6 = 0.26.
  const json at_threshold = {{"prompt_tokens", 200000}, {"completion_tokens", 1000}};
  const auto base = chat_cost(book(), "gemini", "gemini-2.5-pro", at_threshold);
  REQUIRE(base);
  CHECK_FALSE(base->long_context);
  CHECK(base->total_usd == Approx(0.26));
}

TEST_CASE("deepseek: cache hits at the hit price, from either usage field", "[pricing]") {
  // deepseek-v4-flash: $0.14 cache miss, $0.0028 cache hit, $0.28 output.
  // 2000 × 0.14 / 1e6 + 8000 × 0.0028 / 1e6 + 1000 × 0.28 / 1e6
  //   = 0.00028 + 0.0000224 + 0.00028 = 0.0005824
  json usage = {{"prompt_tokens", 10000},
                {"completion_tokens", 1000},
                {"prompt_cache_hit_tokens", 8000},
                {"prompt_cache_miss_tokens", 2000},
                {"prompt_tokens_details", {{"cached_tokens", 8000}}}};
  CHECK(cost_usd(book(), "deepseek", "deepseek-v4-flash", usage) == Approx(0.0005824));
  usage.erase("prompt_tokens_details");  // only DeepSeek's own field
  CHECK(cost_usd(book(), "deepseek", "deepseek-v4-flash", usage) == Approx(0.0005824));
}

TEST_CASE("embeddings and images", "[pricing]") {
  // text-embedding-3-small: 5000 × 0.02 / 1e6 = 0.0001
  const auto embed = embedding_cost(book(), "openai", "text-embedding-3-small",
                                    {{"prompt_tokens", 5000}, {"total_tokens", 5000}});
  REQUIRE(embed);
  CHECK(embed->input_usd == Approx(0.0001));
  CHECK(embed->total_usd == Approx(0.0001));
  // gemini-embedding-001 when only total_tokens is given: 2000 × 0.15 / 1e6 = 0.0003
  CHECK(embedding_cost(book(), "gemini", "gemini-embedding-001", {{"total_tokens", 2000}})
            ->total_usd == Approx(0.0003));

  // dall-e-3, 2 × 1024x1792 hd at $0.12 = 0.24
  const auto images = image_cost(book(), "openai", "dall-e-3", "1024x1792", "hd", 2);
  REQUIRE(images);
  CHECK(images->image_usd == Approx(0.24));
  CHECK(images->total_usd == Approx(0.24));
  CHECK(image_cost(book(), "openai", "gpt-image-1", "1024x1024", "medium", 1)->total_usd ==
        Approx(0.042));
  CHECK_FALSE(image_cost(book(), "openai", "dall-e-3", "256x256", "standard", 1));
  // An image model has no token price: a chat usage cannot be priced with it.
  CHECK_FALSE(chat_cost(book(), "openai", "dall-e-3", {{"prompt_tokens", 10}}));
  // An embedding model has no output price: completion tokens cannot be priced.
  CHECK_FALSE(chat_cost(book(), "openai", "text-embedding-3-small",
                        {{"prompt_tokens", 10}, {"completion_tokens", 5}}));
}

TEST_CASE("an unknown model has no cost, never $0; local providers are free", "[pricing]") {
  const json usage = {{"prompt_tokens", 1000}, {"completion_tokens", 500}};
  CHECK_FALSE(chat_cost(book(), "openai", "no-such-model", usage));
  CHECK_FALSE(chat_cost(book(), "groq", "llama-3.3-70b-versatile", usage));
  CHECK_FALSE(chat_cost(book(), "openrouter", "openai/gpt-4o", usage));
  CHECK_FALSE(embedding_cost(book(), "openai", "no-such-model", usage));
  CHECK_FALSE(image_cost(book(), "openai", "no-such-model", "1024x1024", "standard", 1));
  CHECK(cost_usd(book(), "mock", "echo", usage) == Approx(0.0));
  CHECK(cost_usd(book(), "ollama", "llama3.2", usage) == Approx(0.0));
  CHECK(image_cost(book(), "mock", "image", "256x256", "", 3)->total_usd == 0);
  // A usage with no counts (Gemini's embeddings report none) is unknown, not $0.
  CHECK_FALSE(embedding_cost(book(), "gemini", "gemini-embedding-001", json::object()));
  CHECK_FALSE(chat_cost(book(), "openai", "gpt-4o", json::object()));
}

TEST_CASE("impossible counts are clamped: a cost is never negative", "[pricing]") {
  // More cached tokens than prompt tokens: all 1000 prompt tokens count as cached, the
  // cache writes have nothing left, and a negative completion count is no completion.
  // gpt-4o-mini: 1000 × 0.075 / 1e6 = 0.000075
  const json usage = {
      {"prompt_tokens", 1000},
      {"completion_tokens", -5},
      {"prompt_tokens_details", {{"cached_tokens", 5000}, {"cache_write_tokens", 800}}}};
  const auto cost = chat_cost(book(), "openai", "gpt-4o-mini", usage);
  REQUIRE(cost);
  CHECK(cost->input_usd == 0);
  CHECK(cost->cache_write_usd == 0);
  CHECK(cost->output_usd == 0);
  CHECK(cost->total_usd == Approx(0.000075));
  // A negative prompt: nothing to charge.
  const auto negative = chat_cost(book(), "openai", "gpt-4o-mini",
                                  {{"prompt_tokens", -100}, {"completion_tokens", 0}});
  REQUIRE(negative);
  CHECK(negative->total_usd == 0);
  // Writes larger than what is left after cached: clamped to the rest (claude-haiku-4-5:
  // 100 cached × 0.10 + 900 writes × 1.25 = 10 + 1125 = 1135 → $0.001135).
  const json writes = {
      {"prompt_tokens", 1000},
      {"prompt_tokens_details", {{"cached_tokens", 100}, {"cache_write_tokens", 5000}}}};
  CHECK(cost_usd(book(), "anthropic", "claude-haiku-4-5", writes) == Approx(0.001135));
}

TEST_CASE("overrides replace the fields they name and add models", "[pricing]") {
  PriceOverride cheaper;
  cheaper.rates.output = 5.0;  // gpt-4o output $10 → $5; input stays $2.50
  PriceOverride local;
  local.rates.input = 0.10;
  local.rates.output = 0.20;
  local.image = std::map<std::string, double>{{std::string(k_any_image), 0.01}};
  const PriceBook custom =
      book().with_overrides({{"openai/gpt-4o", cheaper}, {"local/my-model", local}});
  const json usage = {{"prompt_tokens", 1000}, {"completion_tokens", 1000}};
  // 1000 × 2.50 / 1e6 + 1000 × 5 / 1e6 = 0.0025 + 0.005
  CHECK(cost_usd(custom, "openai", "gpt-4o", usage) == Approx(0.0075));
  // The built-in book is untouched: 0.0025 + 1000 × 10 / 1e6 = 0.0125
  CHECK(cost_usd(book(), "openai", "gpt-4o", usage) == Approx(0.0125));
  // 1000 × 0.10 / 1e6 + 1000 × 0.20 / 1e6 = 0.0003
  CHECK(cost_usd(custom, "local", "my-model", usage) == Approx(0.0003));
  CHECK(image_cost(custom, "local", "my-model", "512x512", "", 4)->total_usd == Approx(0.04));
  CHECK_FALSE(cost_usd(book(), "local", "my-model", usage));
}

TEST_CASE("the price file parses and every entry is sane and sourced", "[pricing]") {
  const PriceBook& table = book();
  CHECK_FALSE(table.version().empty());
  CHECK(table.date().size() == 10);  // YYYY-MM-DD
  CHECK(table.models().size() > 20);
  std::set<std::string> providers;
  for (const auto& [name, price] : table.models()) {
    INFO(name);
    const std::string provider = name.substr(0, name.find('/'));
    providers.insert(provider);
    CHECK(table.sources().count(provider) == 1);
    const TokenRates& r = price.rates;
    for (const auto* rate :
         {&r.input, &r.cached_input, &r.cache_write, &r.cache_write_1h, &r.output})
      CHECK((!*rate || **rate >= 0));
    if (r.cached_input && r.input)
      CHECK(*r.cached_input <= *r.input);  // a cache read never costs more than input
    if (r.cache_write && r.input)
      CHECK(*r.cache_write >= *r.input);  // writing costs at least plain input
    if (r.output)
      CHECK(r.input);  // a chat model prices its prompt too
    for (const auto& [size, usd] : price.image)
      CHECK(usd > 0);
    if (price.long_context) {
      CHECK(price.long_context->threshold > 0);
      CHECK(price.long_context->rates.input >= r.input);
    }
  }
  for (const char* provider : {"openai", "anthropic", "gemini", "deepseek"})
    CHECK(providers.count(provider) == 1);
  CHECK(table.sources().count("ollama") == 1);
  CHECK(table.is_free("ollama"));
  CHECK(table.is_free("mock"));
  CHECK_FALSE(table.is_free("openai"));
}

TEST_CASE("a malformed price file is refused with the entry named", "[pricing]") {
  CHECK_THROWS_WITH(PriceBook::parse(R"({"version":"1","models":{"a/b":{"input":-1}}})"),
                    Catch::Contains("a/b.input"));
  CHECK_THROWS_WITH(PriceBook::parse(R"({"version":"1","models":{"a/b":{"inptu":1}}})"),
                    Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(PriceBook::parse(R"({"version":"1","models":{"nomodel":{"input":1}}})"),
                    Catch::Contains("provider/model"));
  CHECK_THROWS(PriceBook::parse("not json"));
}

TEST_CASE("the -u line shows tokens, cache writes, model and cost or says it is unknown",
          "[pricing]") {
  ChatResult result;
  result.route.provider.name = "openai";
  result.route.model = "gpt-4o-mini";
  result.response = {{"usage",
                      {{"prompt_tokens", 1000},
                       {"completion_tokens", 500},
                       {"total_tokens", 1500},
                       {"prompt_tokens_details", {{"cached_tokens", 400}}}}}};
  CHECK(cli::format_usage_line(result, book()) ==
        "usage: 1000 input + 500 output = 1500 tokens (400 cached) · openai/gpt-4o-mini · cost "
        "$0.000420");
  result.route.provider.name = "anthropic";
  result.route.model = "claude-sonnet-4-5";
  result.response["usage"]["prompt_tokens_details"]["cache_write_tokens"] = 200;
  // 400 uncached × 3 + 400 cached × 0.30 + 200 writes × 3.75 + 500 × 15
  //   = 1200 + 120 + 750 + 7500 = 9570 → $0.009570
  CHECK(cli::format_usage_line(result, book()) ==
        "usage: 1000 input + 500 output = 1500 tokens (400 cached) (200 cache write) · "
        "anthropic/claude-sonnet-4-5 · cost $0.009570");
  result.route.model = "claude-unknown";
  CHECK(cli::format_usage_line(result, book())
            .find("cost unknown (no price for anthropic/claude-unknown; add "
                  "[prices.\"anthropic/claude-unknown\"] to config.toml)") != std::string::npos);
  result.response = json::object();
  CHECK(cli::format_usage_line(result, book()) ==
        "usage: not reported by anthropic · anthropic/claude-unknown");
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
