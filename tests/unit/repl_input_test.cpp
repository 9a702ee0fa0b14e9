// The REPL's reading of what was typed: commands, messages and """ blocks.
#include "cli/repl_input.hpp"

#include <catch2/catch.hpp>

using llmgw::cli::InputAssembler;
using llmgw::cli::parse_repl_input;
using llmgw::cli::ReplAction;

TEST_CASE("repl input: commands with their arguments, messages as typed", "[repl]") {
  auto command = parse_repl_input("  /model   openai/gpt-4o  ");
  REQUIRE(command);
  CHECK(command->action == ReplAction::model);
  CHECK(command->text == "openai/gpt-4o");
  command = parse_repl_input("/system Be brief. Very brief.");
  CHECK(command->action == ReplAction::system);
  CHECK(command->text == "Be brief. Very brief.");
  CHECK(parse_repl_input("/quit")->action == ReplAction::exit);
  CHECK(parse_repl_input("/exit")->action == ReplAction::exit);
  CHECK(parse_repl_input("/retry")->text.empty());
  command = parse_repl_input("/modelx");
  CHECK(command->action == ReplAction::unknown);
  CHECK(command->text == "/modelx");
  command = parse_repl_input("//etc/hosts is a file");
  CHECK(command->action == ReplAction::message);
  CHECK(command->text == "/etc/hosts is a file");
  command = parse_repl_input("  keep my spaces ");
  CHECK(command->action == ReplAction::message);
  CHECK(command->text == "  keep my spaces ");
  CHECK_FALSE(parse_repl_input(" \t "));
  CHECK_FALSE(parse_repl_input(""));
}

TEST_CASE("repl input: every command /help lists is understood", "[repl]") {
  for (const auto& info : llmgw::cli::repl_commands()) {
    CAPTURE(info.name);
    const auto command = parse_repl_input(info.name);
    REQUIRE(command);
    CHECK(command->action != ReplAction::unknown);
    CHECK(command->action != ReplAction::message);
  }
}

TEST_CASE("repl input: a \"\"\" block keeps its lines; one line is its own input", "[repl]") {
  InputAssembler assembler;
  CHECK(assembler.feed("plain line") == "plain line");
  CHECK_FALSE(assembler.feed("\"\"\""));
  CHECK(assembler.in_block());
  CHECK_FALSE(assembler.feed("first"));
  CHECK_FALSE(assembler.feed(""));
  CHECK_FALSE(assembler.feed("  indented"));
  CHECK(assembler.feed("last\"\"\"") == "first\n\n  indented\nlast");
  CHECK_FALSE(assembler.in_block());

  CHECK_FALSE(assembler.feed("\"\"\"starts here"));
  CHECK(assembler.feed("\"\"\"") == "starts here");
  CHECK(assembler.feed("\"\"\"all in one\"\"\"") == "all in one");

  CHECK_FALSE(assembler.feed("\"\"\""));
  CHECK_FALSE(assembler.feed("given up"));
  assembler.reset();  // Ctrl-C
  CHECK_FALSE(assembler.in_block());
  CHECK(assembler.feed("after") == "after");
}
