// End to end: `llmgw __complete` as the binary answers it, and the completion scripts of
// share/completions/ loaded in bash, zsh and fish, each asking the built binary.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support/cli_env.hpp"
#include "support/text_files.hpp"

namespace fs = std::filesystem;
using llmgw::test::CliEnv;
using llmgw::test::lines_of;
using llmgw::test::ProcessResult;

namespace {

const fs::path k_scripts = fs::path(LLMGW_FIXTURES_DIR) / "../../share/completions";

// A user with an alias, a custom provider, a stored groq key and an OpenAI key in the
// environment, whose shell finds the built llmgw on PATH.
struct ShellUser {
  CliEnv env;
  ShellUser() {
    env.write_config(R"([aliases]
fast = "openai/gpt-4o-mini"

[providers.mylab]
base_url = "http://127.0.0.1:9/v1"
)");
    std::ofstream(env.keys_file()) << R"({"groq": "gsk-completion-test-00000000GROQ"})";
    fs::permissions(env.keys_file(), fs::perms::owner_read | fs::perms::owner_write);
    env.env["OPENAI_API_KEY"] = "sk-completion-test-000000000OPEN";
    env.env["PATH"] = fs::path(LLMGW_BINARY).parent_path().string() + ":/usr/bin:/bin";
  }
  ProcessResult shell(const std::string& shell, std::vector<std::string> args) const {
    REQUIRE(fs::exists(shell));  // scripts/deps installs zsh and fish
    auto spec = env.spec({});
    spec.argv = {shell};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    return llmgw::test::run_process(spec);
  }
};

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("__complete answers with this machine's models, providers and keys",
          "[cli][completion]") {
  ShellUser user;
  const auto models = user.env.run({"__complete", "chat", "-m", ""});
  REQUIRE(models.exit_code == 0);
  CHECK(models.err.empty());
  const auto lines = lines_of(models.out);
  CHECK(lines.at(0) == ":words");
  for (const char* model : {"fast", "mock/echo", "openai/gpt-4o-mini"})
    CHECK(has(lines, model));
  // groq's models too: its key is in the keys file.
  CHECK(std::any_of(lines.begin(), lines.end(),
                    [](const std::string& line) { return line.starts_with("groq/"); }));
  CHECK(has(lines_of(user.env.run({"__complete", "models", "-p", "my"}).out), "mylab"));
  CHECK(lines_of(user.env.run({"__complete", "keys", "rm", ""}).out) ==
        std::vector<std::string>{":words", "groq"});
  // Every word arrives as typed: "--" and "-h" are words to complete, not options.
  CHECK(lines_of(user.env.run({"__complete", "--"}).out).at(1).starts_with("--"));
  CHECK(lines_of(user.env.run({"__complete", "chat", "-h"}).out).at(1).starts_with("-h\t"));
  CHECK(user.env.run({"--help"}).out.find("__complete") == std::string::npos);
  // It never creates the database just to list client keys.
  CHECK(user.env.run({"__complete", "keys", "revoke", ""}).out == ":words\n");
  CHECK_FALSE(fs::exists(user.env.home() / ".local/share/llmgw/llmgw.db"));
}

TEST_CASE("__complete lists active client keys only", "[cli][completion]") {
  ShellUser user;
  REQUIRE(user.env.run({"keys", "create", "ci-bot"}).exit_code == 0);
  REQUIRE(user.env.run({"keys", "create", "old-app"}).exit_code == 0);
  REQUIRE(user.env.run({"keys", "revoke", "old-app"}).exit_code == 0);
  CHECK(user.env.run({"__complete", "keys", "revoke", ""}).out == ":words\nci-bot\n");
}

TEST_CASE("__complete stays quiet when the config is broken", "[cli][completion]") {
  ShellUser user;
  user.env.write_config("[aliases\nbroken");
  const auto result = user.env.run({"__complete", "chat", "-m", ""});
  CHECK(result.exit_code == 0);
  CHECK(result.out == ":words\n");
  CHECK(result.err.empty());
  // Words that need no config still come.
  CHECK(lines_of(user.env.run({"__complete", "ch"}).out).at(1).starts_with("chat\t"));
}

TEST_CASE("the bash script completes through the binary", "[cli][completion]") {
  ShellUser user;
  const auto complete = [&](const std::string& line, const std::string& words, int cword) {
    const std::string script = "source " + (k_scripts / "llmgw.bash").string() +
                               " || exit 9; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE};" +
                               " COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
                               "; _llmgw; printf '%s\\n' \"${COMPREPLY[@]}\"";
    const auto result = user.shell("/bin/bash", {"--norc", "--noprofile", "-c", script});
    CHECK(result.err.empty());
    REQUIRE(result.exit_code == 0);
    return lines_of(result.out);
  };
  CHECK(complete("llmgw ch", "llmgw ch", 1) == std::vector<std::string>{"chat"});
  const auto models = complete("llmgw chat -m ", "llmgw chat -m ''", 3);
  CHECK(has(models, "fast"));
  CHECK(has(models, "openai/gpt-4o-mini"));
  CHECK(complete("llmgw embed --format nd", "llmgw embed --format nd", 3) ==
        std::vector<std::string>{"ndjson"});
  CHECK(complete("llmgw keys rm ", "llmgw keys rm ''", 3) == std::vector<std::string>{"groq"});
  // bash breaks words at = and :, and replaces only the part after the break.
  CHECK(complete("llmgw chat --model=fa", "llmgw chat --model = fa", 4) ==
        std::vector<std::string>{"fast"});
}

TEST_CASE("the zsh script completes through the binary", "[cli][completion]") {
  ShellUser user;
  const auto complete = [&](const std::string& words, int current) {
    // compadd and _files exist only inside zsh's completion system; these stand-ins print
    // what the script hands them.
    const std::string script =
        "fpath=(" + k_scripts.string() +
        " $fpath); autoload -Uz _llmgw || exit 9;"
        " compadd() { local name; while (( $# )); do case $1 in -a) name=$2; shift;;"
        " -d) shift;; esac; shift; done; print -l -- ${(P)name}; };"
        " _files() { print -- '<files>'; };"
        " words=(" +
        words + "); CURRENT=" + std::to_string(current) + "; _llmgw";
    const auto result = user.shell("/usr/bin/zsh", {"-f", "-c", script});
    CHECK(result.err.empty());
    return lines_of(result.out);
  };
  CHECK(complete("llmgw ch", 2) == std::vector<std::string>{"chat"});
  const auto models = complete("llmgw chat -m ''", 4);
  CHECK(has(models, "fast"));
  CHECK(has(models, "mock/echo"));
  CHECK(complete("llmgw keys rm ''", 4) == std::vector<std::string>{"groq"});
  CHECK(complete("llmgw embed --lines ''", 4) == std::vector<std::string>{"<files>"});
}

TEST_CASE("the fish script completes through the binary", "[cli][completion]") {
  ShellUser user;
  const auto complete = [&](const std::string& line) {
    const std::string script =
        "source " + (k_scripts / "llmgw.fish").string() + "; or exit 9; complete -C '" + line + "'";
    const auto result = user.shell("/usr/bin/fish", {"--no-config", "-c", script});
    CHECK(result.err.empty());
    REQUIRE(result.exit_code == 0);
    std::vector<std::string> words;
    for (const auto& entry : lines_of(result.out))  // fish sorts them
      words.push_back(entry.substr(0, entry.find('\t')));
    return words;
  };
  CHECK(complete("llmgw ch") == std::vector<std::string>{"chat"});
  const auto models = complete("llmgw chat -m ");
  CHECK(has(models, "fast"));
  CHECK(has(models, "openai/gpt-4o-mini"));
  CHECK(complete("llmgw keys rm ") == std::vector<std::string>{"groq"});
  CHECK(complete("llmgw usage --by mo") == std::vector<std::string>{"model", "month"});  // sorted
  CHECK(complete("llmgw embed --lines /et") == std::vector<std::string>{"/etc/"});
}
