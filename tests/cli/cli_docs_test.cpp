// The man page against the binary: it renders without a warning, and it documents every
// subcommand and every option the command line has (read off `llmgw __complete`, the same
// tree that parses them), so the two cannot drift apart silently.
#include <catch2/catch.hpp>
#include <filesystem>

#include "support/cli_env.hpp"
#include "support/text_files.hpp"

namespace fs = std::filesystem;
using llmgw::test::CliEnv;
using llmgw::test::lines_of;

namespace {

const fs::path k_man_page = fs::path(LLMGW_FIXTURES_DIR) / "../../man/llmgw.1";

// The words `llmgw __complete` offers after `typed`.
std::vector<std::string> offered(const CliEnv& env, std::vector<std::string> typed) {
  typed.insert(typed.begin(), "__complete");
  std::vector<std::string> words;
  const auto lines = lines_of(env.run(typed).out);
  for (std::size_t i = 1; i < lines.size(); ++i)
    words.push_back(lines[i].substr(0, lines[i].find('\t')));
  return words;
}

// The man page's source with roff's escaped hyphens as plain ones.
std::string man_text() {
  std::string text = llmgw::test::read_bytes(k_man_page);
  for (std::size_t at = text.find("\\-"); at != std::string::npos; at = text.find("\\-", at))
    text.replace(at, 2, "-");
  return text;
}

}  // namespace

TEST_CASE("the man page renders without warnings", "[cli][docs]") {
  llmgw::test::ProcessSpec spec;
  spec.argv = {"/usr/bin/groff", "-man", "-Tutf8", "-ww", "-z", k_man_page.string()};
  spec.env = {{"PATH", "/usr/bin:/bin"}, {"LANG", "C.UTF-8"}};
  const auto result = llmgw::test::run_process(spec);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("the man page documents every subcommand and option", "[cli][docs]") {
  CliEnv env;
  const std::string man = man_text();
  const auto documents = [&](const std::string& where, const std::string& word) {
    INFO(where << " " << word << " is not in man/llmgw.1");
    CHECK(man.find(word) != std::string::npos);
  };
  const auto commands = offered(env, {""});
  REQUIRE(commands.size() >= 11);
  for (const auto& option : offered(env, {"--"}))
    documents("llmgw", option);
  for (const auto& command : commands) {
    documents("llmgw", command);
    std::vector<std::vector<std::string>> paths = {{command}};
    for (const auto& sub : offered(env, {command, ""})) {
      if (sub.front() != '-' && offered(env, {command, sub, "--"}).size() > 0)
        paths.push_back({command, sub});
    }
    for (auto path : paths) {
      std::string where = "llmgw";
      for (const auto& word : path)
        where += " " + word;
      path.push_back("--");
      for (const auto& option : offered(env, path)) {
        if (option != "--help")
          documents(where, option);
      }
    }
  }
}
