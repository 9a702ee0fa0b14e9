// End to end: chat stores its conversations, -c and --cid continue them, and
// `llmgw logs` lists, shows, searches and removes them. The built binary, a fresh HOME,
// the mock and a fake OpenAI server.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/openai_user.hpp"
#include "support/slow_answer.hpp"
#include "support/text_files.hpp"

using llmgw::test::CliEnv;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

constexpr const char* k_key = "sk-logs-test-0000000000000000LOGS";

struct User : llmgw::test::OpenAIUser {
  User() : OpenAIUser(k_key) {}

  json logs_json(std::vector<std::string> args) const {
    args.insert(args.begin(), "logs");
    args.push_back("--json");
    const auto result = env.run(args);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("logs: chat stores each exchange, and -c continues it with its model and system",
          "[cli][logs]") {
  User user;
  auto result = user.env.run({"chat", "-m", "openai/gpt-4o-mini", "-s", "Be brief", "first one"});
  REQUIRE(result.exit_code == 0);
  REQUIRE(result.out == "fake: first one\n");

  result = user.env.run({"chat", "-c", "second one"});  // no -m: the conversation's model
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "fake: second one\n");
  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].json["model"] == "gpt-4o-mini");
  CHECK(requests[1].json["messages"] == json::parse(R"([
    {"role": "system", "content": "Be brief"},
    {"role": "user", "content": "first one"},
    {"role": "assistant", "content": "fake: first one"},
    {"role": "user", "content": "second one"}])"));

  const json list = user.logs_json({"list"});
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == 1);
  CHECK(list[0]["messages"] == 4);
  CHECK(list[0]["first_prompt"] == "first one");
  CHECK(list[0]["served_by"] == "openai/gpt-4o-mini");

  const json shown = user.logs_json({"show", "1"});
  CHECK(shown["system"] == "Be brief");
  CHECK(shown["model"] == "openai/gpt-4o-mini");
  REQUIRE(shown["messages"].size() == 4);
  const json& answer = shown["messages"][3];
  CHECK(answer["role"] == "assistant");
  CHECK(answer["content"] == "fake: second one");
  CHECK(answer["model"] == "openai/gpt-4o-mini");
  CHECK(answer["input_tokens"] == 9);  // words in all message texts, at the fake
  CHECK(answer["output_tokens"] == 3);
  CHECK(answer["cost_usd"].is_number());
  CHECK(answer["cut"] == false);

  SECTION("--cid with -m and -s: another model and system prompt, the same conversation") {
    user.env.run({"chat", "-m", "mock/echo", "a second conversation"});
    result = user.env.run({"chat", "--cid", "1", "-m", "openai/gpt-4o", "-s", "Be long", "third"});
    REQUIRE(result.exit_code == 0);
    const auto sent = user.server.requests().back().json;
    CHECK(sent["model"] == "gpt-4o");
    CHECK(sent["messages"].size() == 6);
    CHECK(sent["messages"][0]["content"] == "Be long");
    const json again = user.logs_json({"show", "1"});
    CHECK(again["system"] == "Be long");
    CHECK(again["messages"].size() == 6);
    CHECK(user.logs_json({"show", "2"})["messages"].size() == 2);
  }
  SECTION("the Markdown transcript") {
    result = user.env.run({"logs", "show"});  // the last conversation
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.rfind("# Conversation 1\n", 0) == 0);
    CHECK(contains(result.out, "\n## System\n\nBe brief\n"));
    CHECK(contains(result.out, "\nfirst one\n"));
    CHECK(contains(result.out, "\n## openai/gpt-4o-mini · "));
    CHECK(contains(result.out, " · 9 in, 3 out · $"));
    CHECK_FALSE(contains(result.out, "cut short"));
  }
  CHECK_FALSE(contains(result.err, k_key));
}

TEST_CASE("logs: --no-log and logs = false store nothing", "[cli][logs]") {
  CliEnv env;
  REQUIRE(env.run({"chat", "-m", "mock/echo", "--no-log", "secret plans"}).exit_code == 0);
  auto listed = env.run({"logs", "list", "--json"});
  CHECK(json::parse(listed.out) == json::array());
  env.write_config("logs = false\n");
  REQUIRE(env.run({"chat", "-m", "mock/echo", "more secret plans"}).exit_code == 0);
  listed = env.run({"logs"});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out.empty());
  CHECK(contains(listed.err, "no conversations are stored yet"));
  CHECK(contains(listed.err, "logging is off (logs = false, file "));
  const auto found = env.run({"logs", "search", "secret"});
  CHECK(found.exit_code == 0);
  CHECK(contains(found.err, "no stored message matches"));
}

TEST_CASE("logs: Ctrl-C mid-answer keeps the partial answer, marked as cut", "[cli][logs]") {
  CliEnv env;
  env.write_config("[providers.mock]\ndelay_ms = 300\n");
  const auto interrupted = llmgw::test::interrupt_slow_answer(env, SIGINT);
  REQUIRE(interrupted.exit_code == 130);

  const auto shown = env.run({"logs", "show", "--json"});
  REQUIRE(shown.exit_code == 0);
  const json conversation = json::parse(shown.out);
  REQUIRE(conversation["messages"].size() == 2);
  const json& answer = conversation["messages"][1];
  CHECK(answer["cut"] == true);
  const std::string text = answer["content"];
  CHECK(text.rfind("mock:", 0) == 0);
  CHECK_FALSE(contains(text, "eight"));
  CHECK(contains(interrupted.out, text));  // what was shown is what was kept
  const auto markdown = env.run({"logs", "show"});
  CHECK(contains(markdown.out, "*[answer cut short]*"));

  // Continuing sends the partial answer, as the user saw it.
  const auto next = env.run({"chat", "-c", "--json", "go on"});
  REQUIRE(next.exit_code == 0);
  CHECK(json::parse(next.out)["choices"][0]["message"]["content"] == "mock: go on");
  CHECK(json::parse(env.run({"logs", "show", "--json"}).out)["messages"].size() == 4);
}

TEST_CASE("logs: search finds prompts and answers; rm by id, by age and all", "[cli][logs]") {
  CliEnv env;
  for (const char* prompt : {"What is a monad?", "Tell me about functors", "Monads again"})
    REQUIRE(env.run({"chat", "-m", "mock/echo", prompt}).exit_code == 0);

  auto found = env.run({"logs", "search", "monad"});
  REQUIRE(found.exit_code == 0);
  // The prompt and the mock's echo of it, in conversation 1 ("monads" is another word).
  CHECK(llmgw::test::lines_of(found.out).size() == 3);  // heading + 2
  CHECK(contains(found.out, "What is a monad?"));
  CHECK(found.out.find('\x1b') == std::string::npos);  // no marks when piped
  // Plain words: punctuation is not an operator, "monad*" is the word monad.
  const json hits = json::parse(env.run({"logs", "search", "--json", "monad*"}).out);
  CHECK(hits.size() == 2);
  const json prefix = json::parse(env.run({"logs", "search", "--fts", "--json", "monad*"}).out);
  CHECK(prefix.size() == 4);
  const auto bad = env.run({"logs", "search", "--fts", "\"unbalanced"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "not valid FTS5 syntax"));

  auto removed = env.run({"logs", "rm", "2", "99"});
  CHECK(removed.exit_code == 2);
  CHECK(contains(removed.err, "there is no conversation 99"));
  CHECK(contains(removed.err, "nothing was removed"));
  CHECK(json::parse(env.run({"logs", "list", "--json"}).out).size() == 3);

  removed = env.run({"logs", "rm", "2"});
  CHECK(removed.exit_code == 0);
  CHECK(removed.out == "removed 1 conversation (2 messages)\n");
  CHECK(env.run({"logs", "show", "2"}).exit_code == 2);
  CHECK(json::parse(env.run({"logs", "search", "--json", "functors"}).out).empty());

  removed = env.run({"logs", "rm", "--older-than", "30d"});  // both are minutes old
  CHECK(removed.out == "removed 0 conversations (0 messages)\n");
  CHECK(env.run({"logs", "rm"}).exit_code == 2);
  CHECK(env.run({"logs", "rm", "1", "--all"}).exit_code == 2);
  CHECK(env.run({"logs", "rm", "--older-than", "soon"}).exit_code == 2);
  removed = env.run({"logs", "rm", "--all"});
  CHECK(removed.out == "removed 2 conversations (4 messages)\n");
  CHECK(json::parse(env.run({"logs", "list", "--json"}).out).empty());

  // A new conversation never takes a removed one's id.
  REQUIRE(env.run({"chat", "-m", "mock/echo", "hello"}).exit_code == 0);
  CHECK(json::parse(env.run({"logs", "list", "--json"}).out)[0]["id"] == 4);
}

TEST_CASE("logs: list is newest first, with -n and a model filter", "[cli][logs]") {
  User user;
  REQUIRE(user.env.run({"chat", "-m", "mock/echo", "from the mock"}).exit_code == 0);
  REQUIRE(user.env.run({"chat", "-m", "openai/gpt-4o-mini", "from openai"}).exit_code == 0);
  const json all = user.logs_json({"list"});
  REQUIRE(all.size() == 2);
  CHECK(all[0]["first_prompt"] == "from openai");
  CHECK(user.logs_json({"list", "-n", "1"}).size() == 1);
  const json mocks = user.logs_json({"list", "-m", "MOCK"});
  REQUIRE(mocks.size() == 1);
  CHECK(mocks[0]["first_prompt"] == "from the mock");
  const auto table = user.env.run({"logs", "list"});
  REQUIRE(table.exit_code == 0);
  const auto lines = llmgw::test::lines_of(table.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("ID  UPDATED", 0) == 0);
  CHECK(contains(lines[1], "openai/gpt-4o-mini"));
  CHECK(contains(lines[1], "from openai"));
  CHECK(contains(lines[2], "mock/echo"));
  const auto none = user.env.run({"logs", "list", "-m", "gemini"});
  CHECK(none.exit_code == 0);
  CHECK(contains(none.err, "no stored conversation involves a model matching gemini"));
}

TEST_CASE("logs: continuing what is not there, and a broken database", "[cli][logs]") {
  CliEnv env;
  auto result = env.run({"chat", "-c", "hello"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "llmgw: error: there is no conversation to continue yet"));
  REQUIRE(env.run({"chat", "-m", "mock/echo", "hello"}).exit_code == 0);
  result = env.run({"chat", "--cid", "7", "hello"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "there is no conversation 7"));
  CHECK(env.run({"chat", "-c", "--cid", "1", "hello"}).exit_code == 2);
  CHECK(env.run({"logs", "show", "7"}).exit_code == 2);

  // A file that is not a database: the answer still comes, with a warning; continuing
  // and listing are errors that name the file and the fix.
  const auto broken = env.home() / "broken.db";
  std::ofstream(broken) << std::string(4096, 'x');
  env.env["LLMGW_DB"] = broken.string();
  result = env.run({"chat", "-m", "mock/echo", "still answered"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "mock: still answered\n");
  CHECK(contains(result.err, "not stored in the conversation log"));
  result = env.run({"chat", "-c", "hello"});
  CHECK(result.exit_code == 3);
  CHECK(contains(result.err, broken.string()));
  CHECK(contains(result.err, "llmgw db check"));
  CHECK(env.run({"logs", "list"}).exit_code == 3);
  CHECK(llmgw::test::read_bytes(broken) == std::string(4096, 'x'));
}
