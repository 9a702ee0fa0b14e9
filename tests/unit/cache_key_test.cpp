// Which requests the response cache may answer, and the canonical key it files them under.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/cache_key.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

json base_request() {
  return json::parse(R"({"model":"openai/gpt-4o-mini","temperature":0,
    "messages":[{"role":"system","content":"Be terse"},{"role":"user","content":"hi"}]})");
}

}  // namespace

TEST_CASE("cache key: key order, whitespace and number spelling never matter", "[cache]") {
  const std::string key = request_hash(base_request());
  CHECK(key.size() == 64);
  CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
  // The same request written another way.
  CHECK(request_hash(json::parse(R"(
    { "messages" : [ { "content" : "Be terse", "role" : "system" },
                     { "content" : "hi", "role" : "user" } ],
      "temperature" : 0.0,
      "model" : "openai/gpt-4o-mini" })")) == key);
  // Fields that change delivery or filing, not the answer; nulls; n = 1.
  json delivered = base_request();
  delivered["stream"] = true;
  delivered["stream_options"] = {{"include_usage", true}};
  delivered["user"] = "alice";
  delivered["metadata"] = {{"team", "a"}};
  delivered["store"] = false;
  delivered["top_p"] = nullptr;
  delivered["n"] = 1;
  CHECK(request_hash(delivered) == key);
  // max_completion_tokens is max_tokens.
  json a = base_request();
  a["max_tokens"] = 50;
  json b = base_request();
  b["max_completion_tokens"] = 50.0;
  CHECK(request_hash(a) == request_hash(b));
}

TEST_CASE("cache key: every field that shapes the answer changes it", "[cache]") {
  const std::string key = request_hash(base_request());
  const std::vector<std::pair<std::string, json>> changes = {
      {"model", "openai/gpt-4o"},
      {"temperature", 0.2},
      {"top_p", 0.9},
      {"max_tokens", 10},
      {"stop", json::array({"\n"})},
      {"seed", 7},
      {"n", 2},
      {"response_format", {{"type", "json_object"}}},
      {"tools", json::parse(R"([{"type":"function","function":{"name":"f"}}])")},
      {"tool_choice", "required"},
      {"reasoning_effort", "high"},
  };
  for (const auto& [field, value] : changes) {
    json changed = base_request();
    changed[field] = value;
    INFO(field);
    CHECK(request_hash(changed) != key);
  }
  json other_text = base_request();
  other_text["messages"][1]["content"] = "hi!";
  CHECK(request_hash(other_text) != key);
  json other_role = base_request();
  other_role["messages"][0]["role"] = "developer";
  CHECK(request_hash(other_role) != key);
  json swapped = base_request();
  std::swap(swapped["messages"][0], swapped["messages"][1]);
  CHECK(request_hash(swapped) != key);  // message order is meaning
  json integral = base_request();
  integral["temperature"] = 0.5;
  json other = base_request();
  other["temperature"] = 0.50000001;
  CHECK(request_hash(integral) != request_hash(other));
}

TEST_CASE("cache: only deterministic requests are cached unless forced", "[cache]") {
  json request = base_request();
  CHECK(is_deterministic(request));
  request["temperature"] = 0.0;
  CHECK(is_deterministic(request));
  request["temperature"] = 0.7;
  CHECK_FALSE(is_deterministic(request));
  request["seed"] = 42;
  CHECK(is_deterministic(request));
  request.erase("temperature");
  CHECK(is_deterministic(request));
  request.erase("seed");
  CHECK_FALSE(is_deterministic(request));  // the provider's default temperature samples
  request["seed"] = nullptr;
  CHECK_FALSE(is_deterministic(request));

  const json sampled = request;
  const json fixed = base_request();
  CHECK(cache_may_answer(CacheMode::automatic, fixed));
  CHECK(cache_may_store(CacheMode::automatic, fixed));
  CHECK_FALSE(cache_may_answer(CacheMode::automatic, sampled));
  CHECK_FALSE(cache_may_store(CacheMode::automatic, sampled));
  CHECK(cache_may_answer(CacheMode::force, sampled));
  CHECK(cache_may_store(CacheMode::force, sampled));
  CHECK_FALSE(cache_may_answer(CacheMode::bypass, fixed));
  CHECK_FALSE(cache_may_store(CacheMode::bypass, fixed));
  CHECK_FALSE(cache_may_answer(CacheMode::refresh, fixed));
  CHECK(cache_may_store(CacheMode::refresh, fixed));
  CHECK_FALSE(cache_may_store(CacheMode::refresh, sampled));
}

TEST_CASE("cache modes have the daemon header's names", "[cache]") {
  for (const CacheMode mode :
       {CacheMode::automatic, CacheMode::force, CacheMode::bypass, CacheMode::refresh}) {
    CHECK(parse_cache_mode(to_string(mode)) == mode);
  }
  CHECK(to_string(CacheMode::automatic) == "auto");
  CHECK_FALSE(parse_cache_mode("FORCE"));
  CHECK_FALSE(parse_cache_mode(""));
}
