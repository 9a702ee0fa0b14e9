#include "cli/completion.hpp"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "cli/context.hpp"
#include "core/config/env.hpp"

using llmgw::cli::complete_words;
using llmgw::cli::Completion;
using llmgw::cli::CompletionSources;

namespace {

// The real command line, with fixed lookups that count how often they are asked.
struct Tree {
  std::istringstream in;
  std::ostringstream out, err;
  llmgw::cli::Io io{in, out, err, false, false, false, llmgw::fixed_env({}), nullptr};
  llmgw::cli::Context ctx{io};
  CLI::App app{"llmgw", "llmgw"};
  int lookups = 0;
  CompletionSources sources{
      [this] {
        return counted({"mock/echo", "openai/gpt-4o", "openai/gpt-4o-mini", "fast"});
      },
      [this] {
        return counted({"openai", "anthropic", "ollama", "mylab"});
      },
      [this] {
        return counted({"openai", "groq"});
      },
      [this] {
        return counted({"ci-bot", "frontend"});
      }};

  Tree() { llmgw::cli::build_command_line(app, ctx); }
  std::vector<std::string> counted(std::vector<std::string> values) {
    ++lookups;
    return values;
  }
  Completion complete(std::vector<std::string> words) {
    return complete_words(app, words, sources);
  }
  std::vector<std::string> words(std::vector<std::string> typed) {
    std::vector<std::string> out;
    for (const auto& candidate : complete(std::move(typed)).candidates)
      out.push_back(candidate.word);
    return out;
  }
};

bool has(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

}  // namespace

TEST_CASE("completion offers the commands, with their descriptions", "[completion]") {
  Tree tree;
  const auto all = tree.words({""});
  for (const char* command : {"chat", "embed", "image", "keys", "serve", "usage", "db"})
    CHECK(has(all, command));
  CHECK(tree.words({"ch"}) == std::vector<std::string>{"chat"});
  CHECK(tree.words({"e"}) == std::vector<std::string>{"embed"});
  const auto described = tree.complete({"ch"}).candidates.at(0);
  CHECK(described.description == "Send a prompt to any model and stream the answer");
  CHECK(tree.lookups == 0);  // nothing read for words that need nothing
}

TEST_CASE("completion offers a command's own options", "[completion]") {
  Tree tree;
  const auto chat = tree.words({"chat", "--"});
  CHECK(has(chat, "--model"));
  CHECK(has(chat, "--no-stream"));
  CHECK_FALSE(has(chat, "--lines"));  // embed's
  CHECK_FALSE(has(chat, "--db"));     // the root's: only before the command
  CHECK(tree.words({"embed", "--l"}) == std::vector<std::string>{"--lines"});
  CHECK(has(tree.words({"--"}), "--db"));
  CHECK(has(tree.words({"chat", "-"}), "-m"));
}

TEST_CASE("completion offers an option's values", "[completion]") {
  Tree tree;
  CHECK(tree.words({"chat", "-m", "openai/gpt-4o"}) ==
        std::vector<std::string>{"openai/gpt-4o", "openai/gpt-4o-mini"});
  CHECK(tree.words({"chat", "--model", "f"}) == std::vector<std::string>{"fast"});
  CHECK(tree.words({"chat", "--model=openai/gpt-4o-m"}) ==
        std::vector<std::string>{"--model=openai/gpt-4o-mini"});
  CHECK(tree.words({"models", "-p", ""}) ==
        std::vector<std::string>{"openai", "anthropic", "ollama", "mylab"});
  CHECK(tree.words({"embed", "--format", ""}) ==
        std::vector<std::string>{"json", "ndjson", "floats", "base64"});
  CHECK(tree.words({"usage", "--by", "m"}) == std::vector<std::string>{"month", "model"});
  CHECK(tree.words({"keys", "create", "ci", "--budget-period", ""}) ==
        std::vector<std::string>{"day", "month", "total"});
  CHECK(tree.complete({"embed", "--lines", ""}).files);
  CHECK(tree.complete({"--config", "conf"}).files);
  CHECK(tree.complete({"image", "-o", ""}).files);
  // An option's value is not a command: after it, the command's options still come.
  CHECK(has(tree.words({"chat", "-m", "mock/echo", "--"}), "--system"));
  // A value that takes no completion gets none, rather than the command's words.
  CHECK(tree.words({"chat", "--temperature", ""}).empty());
}

TEST_CASE("completion offers provider and key names where a command takes one", "[completion]") {
  Tree tree;
  CHECK(has(tree.words({"keys", ""}), "set"));
  CHECK(tree.words({"keys", "set", "o"}) == std::vector<std::string>{"openai", "ollama"});
  CHECK(tree.words({"keys", "rm", ""}) == std::vector<std::string>{"openai", "groq"});
  CHECK(tree.words({"keys", "revoke", ""}) == std::vector<std::string>{"ci-bot", "frontend"});
  CHECK(tree.words({"keys", "rm", "openai", ""}).empty());  // it takes one name
  CHECK(tree.words({"chat", ""}).empty());                  // a prompt is free text
}

TEST_CASE("completion output is a kind line, then word and description", "[completion]") {
  Completion completion;
  completion.candidates = {{"chat", "Send a prompt"}, {"fast", ""}};
  CHECK(llmgw::cli::format_completion(completion) == ":words\nchat\tSend a prompt\nfast\n");
  completion = {{}, true};
  CHECK(llmgw::cli::format_completion(completion) == ":files\n");
}
