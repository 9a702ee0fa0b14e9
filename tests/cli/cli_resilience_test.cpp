// End to end: retries and fallbacks as a user meets them, the built binary against a fake
// OpenAI server. Waits are kept at zero with Retry-After: 0; the delays themselves are
// asserted on a fake clock in tests/unit/attempt_loop_test.cpp.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/openai_user.hpp"

using llmgw::test::Reply;

namespace {

constexpr const char* k_key = "sk-resilience-0000000000000RSLN";

struct User : llmgw::test::OpenAIUser {
  User() : OpenAIUser(k_key) {}
  // The keys file holds `first` then `second` for openai, and no env key is set.
  void store_two_keys(const std::string& first, const std::string& second) {
    env.env.erase("OPENAI_API_KEY");
    REQUIRE(env.run({"keys", "set", "openai"}, first + "\n").exit_code == 0);
    REQUIRE(env.run({"keys", "add", "openai"}, second + "\n").exit_code == 0);
  }
  void push_unavailable(int times) {
    for (int i = 0; i < times; ++i)
      server.push(Reply::error(503, "The server is overloaded", "server_error")
                      .with_header("Retry-After", "0"));
  }
};

}  // namespace

TEST_CASE("a 503 before the answer is retried and the answer comes", "[cli][resilience]") {
  User user;
  user.push_unavailable(2);
  const auto result = user.env.run({"chat", "-v", "-m", "openai/gpt-4o-mini", "hello there"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "fake: hello there\n");
  CHECK(user.server.requests().size() == 3);
  CHECK(result.err.find("attempt 1: openai/gpt-4o-mini (key …RSLN): HTTP 503") !=
        std::string::npos);
  CHECK(result.err.find("attempt 3: openai/gpt-4o-mini (key …RSLN): ok") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
}

TEST_CASE("fallbacks: with -m a,b the next model answers when the first keeps failing",
          "[cli][resilience]") {
  User user;
  user.push_unavailable(4);  // the first try and its 3 retries
  const auto result = user.env.run(
      {"chat", "-v", "--json", "-m", "openai/gpt-4o-mini,mock/echo", "fall back please"});
  REQUIRE(result.exit_code == 0);
  const auto response = nlohmann::json::parse(result.out);
  CHECK(response["provider"] == "mock");
  CHECK(user.server.requests().size() == 4);
  CHECK(result.err.find("if it fails: mock/echo") != std::string::npos);
  CHECK(result.err.find("attempt 5: mock/echo: ok") != std::string::npos);
}

TEST_CASE("a 400 is not retried and the next model is not needed to say why", "[cli][resilience]") {
  User user;
  user.server.push(Reply::error(400, "Unsupported parameter: 'temperature'"));
  const auto result = user.env.run({"chat", "--no-stream", "-m", "openai/o3-mini", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(user.server.requests().size() == 1);
  CHECK(result.err.find("Unsupported parameter") != std::string::npos);
}

TEST_CASE("when every model fails, the error names each attempt", "[cli][resilience]") {
  User user;
  user.push_unavailable(4);
  user.env.env.erase("ANTHROPIC_API_KEY");
  const auto result =
      user.env.run({"chat", "--no-stream", "-m", "gpt-4o-mini,anthropic/claude-sonnet-4-5", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("all 5 attempts failed") != std::string::npos);
  CHECK(result.err.find("[4] openai/gpt-4o-mini (key …RSLN): HTTP 503") != std::string::npos);
  CHECK(result.err.find("[5] anthropic/claude-sonnet-4-5, skipped: no API key for anthropic") !=
        std::string::npos);
}

TEST_CASE(
    "breakers: failures across runs open it; the next run skips the provider; status "
    "shows it",
    "[cli][resilience][breaker]") {
  User user;
  user.push_unavailable(5);
  // Run 1: the first try and 3 retries fail (4 failures in a row, the default opens at 5).
  CHECK(user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "hi"}).exit_code == 4);
  CHECK(user.server.requests().size() == 4);
  // Run 2 remembers them: one more failure opens the breaker, and no retry is sent.
  const auto second = user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "hi"});
  CHECK(second.exit_code == 4);
  CHECK(user.server.requests().size() == 5);
  CHECK(second.err.find("circuit open") != std::string::npos);
  // Run 3 fails fast without a request, or falls back when it can.
  const auto third = user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "hi"});
  CHECK(third.exit_code == 4);
  CHECK(third.err.find("circuit open") != std::string::npos);
  const auto fallback =
      user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini,mock/echo", "hi"});
  CHECK(fallback.exit_code == 0);
  CHECK(user.server.requests().size() == 5);

  const auto status = user.env.run({"providers", "status", "--json"});
  REQUIRE(status.exit_code == 0);
  const auto state = nlohmann::json::parse(status.out);
  REQUIRE(state["breakers"].size() == 1);  // the built-in mock keeps no health
  const auto& openai = state["breakers"][0];
  CHECK(openai["state"] == "open");
  CHECK(openai["requests"] == 5);
  CHECK(openai["failures"] == 5);
  CHECK(openai["key"] == "…RSLN");
  CHECK(openai["probe_in_seconds"].get<int>() > 0);
  CHECK(status.out.find(k_key) == std::string::npos);

  // The table's columns line up on a terminal, the "…" of the key hint included.
  const auto table = user.env.run({"providers", "status"});
  const std::string header = table.out.substr(0, table.out.find('\n'));
  const std::string row = table.out.substr(header.size() + 1);
  const auto column_of = [](const std::string& line, const std::string& word) {
    const std::string before = line.substr(0, line.find(word));
    return std::count_if(before.begin(), before.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  };
  CHECK(row.find("openai") == 0);
  CHECK(column_of(header, "STATE") == column_of(row, " open ") + 1);
  CHECK(column_of(header, "KEY") == column_of(row, "…RSLN"));
}

TEST_CASE("providers status before any request says so", "[cli][resilience]") {
  User user;
  const auto result = user.env.run({"providers", "status"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("no provider has been used yet") == 0);
}

TEST_CASE("keys: a rate-limited key rests and the provider's next key answers at once",
          "[cli][resilience][key_pool]") {
  User user;
  constexpr const char* k_first = "sk-first-key-000000000000FRST";
  constexpr const char* k_second = "sk-second-key-00000000000SCND";
  user.store_two_keys(k_first, k_second);
  user.server.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                       .with_header("Retry-After", "30"));
  const auto first = user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "hi"});
  REQUIRE(first.exit_code == 0);
  // The next run remembers that the first key rests: it goes straight to the second.
  REQUIRE(user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "hi"}).exit_code == 0);
  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].header("authorization") == "Bearer " + std::string(k_first));
  CHECK(requests[1].header("authorization") == "Bearer " + std::string(k_second));
  CHECK(requests[2].header("authorization") == "Bearer " + std::string(k_second));
  const auto status = user.env.run({"providers", "status"});
  CHECK(status.out.find("rate-limited: openai key …FRST rests for") != std::string::npos);
  CHECK(status.out.find(k_first) == std::string::npos);
}

TEST_CASE("config: [fallbacks], [retry] and a balanced alias shape what is tried",
          "[cli][resilience]") {
  User user;
  user.env.write_config(R"(
[retry]
max_retries = 1

[fallbacks]
"gpt-4o-mini" = ["mock/echo"]

[aliases.pair]
targets = ["openai/gpt-4o-mini", "openai/gpt-4o"]
strategy = "round-robin"
)");
  user.push_unavailable(2);  // the first try and its 1 retry
  const auto fell = user.env.run({"chat", "--json", "-m", "gpt-4o-mini", "hi"});
  REQUIRE(fell.exit_code == 0);
  CHECK(nlohmann::json::parse(fell.out)["provider"] == "mock");
  CHECK(user.server.requests().size() == 2);

  // Each run starts round-robin at a random target, so runs spread over both; the answer
  // names the one that served.
  std::set<std::string> served;
  for (int i = 0; i < 40 && served.size() < 2; ++i) {
    const auto pair = user.env.run({"chat", "--json", "-m", "pair", "hi"});
    REQUIRE(pair.exit_code == 0);
    const std::string model = nlohmann::json::parse(pair.out)["model"];
    CHECK(user.server.requests().back().json["model"] == model);
    served.insert(model);
  }
  CHECK(served == std::set<std::string>{"gpt-4o", "gpt-4o-mini"});
}

TEST_CASE("keys: a refused key is skipped for the next one, and the user is told",
          "[cli][resilience][key_pool]") {
  User user;
  constexpr const char* k_bad = "sk-revoked-key-0000000000BADK";
  constexpr const char* k_good = "sk-working-key-000000000GOOD";
  user.store_two_keys(k_bad, k_good);
  user.server.push(
      Reply::error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));
  const auto result = user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "fake: hi\n");
  CHECK(result.err.find("openai refused key …BADK (HTTP 401); another key answered") !=
        std::string::npos);
  CHECK(result.err.find(k_bad) == std::string::npos);
  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].header("authorization") == "Bearer " + std::string(k_good));
}
