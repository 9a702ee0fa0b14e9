// End to end: the built binary, a fresh HOME, the built-in mock provider.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/slow_answer.hpp"

using llmgw::test::CliEnv;

TEST_CASE("version flag prints the version and exits 0", "[cli]") {
  CliEnv env;
  const auto result = env.run({"--version"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "llmgw " LLMGW_VERSION "\n");
}

TEST_CASE("help lists every subcommand with examples and exit codes", "[cli]") {
  CliEnv env;
  const auto result = env.run({"--help"});
  CHECK(result.exit_code == 0);
  for (const char* word : {"chat", "keys", "config", "Examples:", "Exit codes:"}) {
    CHECK(result.out.find(word) != std::string::npos);
  }
  for (const char* command : {"chat", "keys", "config"}) {
    const auto sub = env.run({command, "--help"});
    CHECK(sub.exit_code == 0);
    CHECK(sub.out.find("Examples:") != std::string::npos);
  }
}

TEST_CASE("with no key configured, chat uses mock/echo and says so once on stderr", "[cli]") {
  CliEnv env;
  const auto result = env.run({"chat", "hello", "there"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "mock: hello there\n");
  const auto note = result.err.find("mock/echo");
  REQUIRE(note != std::string::npos);
  CHECK(result.err.find("mock/echo", note + 1) == std::string::npos);
  CHECK(result.err.find("llmgw keys set") != std::string::npos);
}

TEST_CASE("an explicit mock model gives no note", "[cli]") {
  CliEnv env;
  const auto result = env.run({"chat", "-m", "mock/echo", "--no-stream", "hi"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "mock: hi\n");
  CHECK(result.err.empty());
}

TEST_CASE("piped stdin comes first, then a blank line, then the prompt", "[cli]") {
  CliEnv env;
  SECTION("stdin and prompt") {
    const auto result = env.run({"chat", "-m", "mock/echo", "summarise"}, "line one\nline two\n");
    CHECK(result.exit_code == 0);
    CHECK(result.out == "mock: line one\nline two\n\nsummarise\n");
  }
  SECTION("stdin alone") {
    const auto result = env.run({"chat", "-m", "mock/echo"}, "only stdin");
    CHECK(result.exit_code == 0);
    CHECK(result.out == "mock: only stdin\n");
  }
  SECTION("neither is a usage error") {
    const auto result = env.run({"chat", "-m", "mock/echo"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.rfind("llmgw: error: no prompt given", 0) == 0);
    CHECK(result.out.empty());
  }
}

TEST_CASE("json flag prints the whole OpenAI-format response", "[cli]") {
  CliEnv env;
  const auto result = env.run({"chat", "-m", "mock/echo", "--json", "-s", "be brief", "hi"});
  REQUIRE(result.exit_code == 0);
  const auto response = nlohmann::json::parse(result.out);
  CHECK(response["object"] == "chat.completion");
  CHECK(response["choices"][0]["message"]["content"] == "mock: hi");
  CHECK(response["choices"][0]["finish_reason"] == "stop");
  CHECK(response["usage"]["total_tokens"].get<int>() ==
        response["usage"]["prompt_tokens"].get<int>() +
            response["usage"]["completion_tokens"].get<int>());
}

TEST_CASE("usage flag prints tokens and cost to stderr, stdout stays the answer", "[cli]") {
  CliEnv env;
  const auto result = env.run({"chat", "-m", "mock/echo", "-u", "count me"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "mock: count me\n");
  CHECK(result.err.find("usage: ") != std::string::npos);
  CHECK(result.err.find("tokens") != std::string::npos);
  CHECK(result.err.find("cost $0.000000") != std::string::npos);
}

TEST_CASE("max-tokens and temperature flags reach the request", "[cli]") {
  CliEnv env;
  const auto cut =
      env.run({"chat", "-m", "mock/echo", "--json", "--max-tokens", "1", "a long prompt here"});
  REQUIRE(cut.exit_code == 0);
  CHECK(nlohmann::json::parse(cut.out)["choices"][0]["finish_reason"] == "length");
  const auto bad = env.run({"chat", "-m", "mock/echo", "--temperature", "7", "hi"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("temperature") != std::string::npos);
}

TEST_CASE("usage errors exit 2", "[cli]") {
  CliEnv env;
  CHECK(env.run({"chat", "--no-such-flag", "hi"}).exit_code == 2);
  CHECK(env.run({}).exit_code == 2);
  const auto unknown = env.run({"chat", "-m", "nosuch/model", "hi"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown provider 'nosuch'") != std::string::npos);
  CHECK(unknown.err.find("openai") != std::string::npos);  // lists the known ones
  const auto bare = env.run({"chat", "-m", "llama3", "hi"});
  CHECK(bare.exit_code == 2);
}

TEST_CASE("a missing key exits 3 and names the fix", "[cli]") {
  CliEnv env;
  const auto result = env.run({"chat", "-m", "openai/gpt-4o-mini", "hi"});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find("llmgw keys set openai") != std::string::npos);
  CHECK(result.err.find("OPENAI_API_KEY") != std::string::npos);
}

TEST_CASE("an invalid config file exits 3 naming the file and line", "[cli]") {
  CliEnv env;
  env.write_config("default_model = \"mock/echo\"\n[aliases\nfast = 1\n");
  const auto result = env.run({"chat", "hi"});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find(env.config_file().string() + ":2") != std::string::npos);
}

TEST_CASE("config aliases and default_model are used", "[cli]") {
  CliEnv env;
  env.write_config("default_model = \"quick\"\n[aliases]\nquick = \"mock/echo\"\n");
  const auto result = env.run({"chat", "--json", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(nlohmann::json::parse(result.out)["model"] == "mock/echo");
  CHECK(result.err.empty());  // a configured default is not the mock fallback
}

TEST_CASE("Ctrl-C cancels a streaming answer, keeps what was printed, exits 130", "[cli]") {
  CliEnv env;
  env.write_config("[providers.mock]\ndelay_ms = 300\n");
  const auto result = llmgw::test::interrupt_slow_answer(env, SIGINT);
  CHECK(result.exit_code == 130);
  CHECK(result.out.rfind("mock:", 0) == 0);
  CHECK(result.out.find("eight") == std::string::npos);  // it stopped early
  CHECK(result.out.back() == '\n');                      // the line was closed
  CHECK(result.err.find("interrupted") != std::string::npos);
}

TEST_CASE("input that is not UTF-8 is a usage error, not a crash", "[cli]") {
  CliEnv env;
  const auto result = env.run({"chat", "-m", "mock/echo", "--json"}, "abc\xff\xfe def");
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("not UTF-8") != std::string::npos);
  CHECK(result.out.empty());
}
