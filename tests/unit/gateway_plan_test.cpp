// Gateway::plan: where a call would go and what its provider cannot take, without I/O.
#include <catch2/catch.hpp>

#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/gateway.hpp"
#include "core/http/curl_transport.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;

namespace {

struct Planner {
  test::TempDir home;
  EnvLookup env = fixed_env({{"HOME", home.path().string()}});
  Config config = load_config(env, {});
  KeyStore keys{config.paths.keys_file};
  Credentials credentials{keys, env};
  CurlTransport transport;  // never used by plan()
  SystemClock clock;
  Gateway gateway{config, transport, credentials, clock};

  ChatPlan plan(const std::string& model, nlohmann::json extra = nlohmann::json::object()) {
    ChatCall call;
    call.request = {{"model", model}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    call.request.update(extra);
    return gateway.plan(call);
  }
};

}  // namespace

TEST_CASE("plan names the route and the fields each protocol leaves out", "[gateway]") {
  Planner p;
  const nlohmann::json extra = {{"n", 2}, {"logit_bias", {{"50256", -100}}}, {"temperature", 0.5}};

  const ChatPlan anthropic = p.plan("claude-sonnet-4-5", extra);
  CHECK(anthropic.route.provider.name == "anthropic");
  CHECK(anthropic.route.model == "claude-sonnet-4-5");
  CHECK(anthropic.dropped == std::vector<std::string>{"logit_bias", "n"});

  const ChatPlan gemini = p.plan("gemini-2.5-flash", extra);
  CHECK(gemini.dropped == std::vector<std::string>{"logit_bias"});  // n → candidateCount

  const ChatPlan ollama = p.plan("ollama/llama3.2", extra);
  CHECK(ollama.dropped == std::vector<std::string>{"logit_bias", "n"});

  CHECK(p.plan("gpt-4o", extra).dropped.empty());  // OpenAI-compatible: passed through
  CHECK(p.plan("mock/echo", extra).dropped.empty());
}

TEST_CASE("plan validates like a real call", "[gateway]") {
  Planner p;
  CHECK(test::error_of([&] { p.plan("nosuch/model"); }).kind == ErrorKind::unknown_model);
  CHECK(test::error_of([&] { p.plan("gpt-4o", {{"temperature", "hot"}}); }).param == "temperature");
}

TEST_CASE("a call given its plan's chain goes where the plan said, alias turns included",
          "[gateway]") {
  test::TempDir home;
  const EnvLookup env = fixed_env({{"HOME", home.path().string()}});
  Config config = load_config(env, {});
  BalancedAlias pair;
  pair.targets = {"mock/echo", "mock/slow"};
  config.balanced_aliases["pair"] = {pair, "test"};
  KeyStore keys{config.paths.keys_file};
  Credentials credentials{keys, env};
  CurlTransport transport;  // never used: mock models only
  SystemClock clock;
  Gateway gateway{config, transport, credentials, clock};

  std::vector<std::string> planned;
  for (int i = 0; i < 4; ++i) {
    ChatCall call;
    call.request = {{"model", "pair"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    const ChatPlan plan = gateway.plan(call);
    call.planned_chain = &plan.chain;
    const ChatResult result = gateway.chat(call);
    CHECK(result.route.model == plan.route.model);
    planned.push_back(plan.route.model);
  }
  // Planning takes the alias's turn, so the round-robin still alternates.
  CHECK(planned == std::vector<std::string>{"echo", "slow", "echo", "slow"});
}
