// End to end under a pseudo-terminal: what a person at a terminal sees.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "support/cli_env.hpp"
#include "support/pty_session.hpp"

using llmgw::test::CliEnv;

namespace {

// Runs llmgw with stdin, stdout and stderr on one pty. `answer`, when given, is typed
// once the output contains `prompt`. Returns everything the terminal showed and the
// exit code. Every wait is bounded.
struct TtyRun {
  std::string screen;
  int exit_code = -1;
  bool echo_after = false;  // the terminal's ECHO flag once the program had ended
};

TtyRun run_on_tty(const CliEnv& env, const std::vector<std::string>& args,
                  const std::string& prompt = {}, const std::string& answer = {}) {
  llmgw::test::PtySession session(env.spec(args));
  if (!answer.empty()) {
    REQUIRE(session.wait_for(prompt));
    session.type(answer);
  }
  TtyRun run;
  run.exit_code = session.finish();
  run.screen = session.screen();
  run.echo_after = session.echo_on();
  return run;
}

}  // namespace

TEST_CASE("keys set on a terminal asks for the key and does not echo it", "[cli][tty]") {
  CliEnv env;
  const std::string secret = "sk-typed-at-the-terminal-4242";
  const auto run = run_on_tty(env, {"keys", "set", "openai"}, "API key for openai", secret + "\r");
  CHECK(run.exit_code == 0);
  CHECK(run.screen.find("(input is hidden)") != std::string::npos);
  CHECK(run.screen.find(secret) == std::string::npos);
  CHECK(run.screen.find("…4242") != std::string::npos);
  std::ifstream file(env.keys_file());
  const std::string stored((std::istreambuf_iterator<char>(file)), {});
  CHECK(stored.find(secret) != std::string::npos);
}

TEST_CASE("Ctrl-C at the hidden key prompt gives the terminal its echo back", "[cli][tty]") {
  CliEnv env;
  const auto run = run_on_tty(env, {"keys", "set", "openai"}, "API key for openai", "sk-par\x03");
  CHECK(run.exit_code == 130);
  CHECK(run.echo_after);
  CHECK_FALSE(std::filesystem::exists(env.keys_file()));
}

TEST_CASE("errors are coloured on a terminal unless NO_COLOR is set", "[cli][tty]") {
  CliEnv env;
  env.env["TERM"] = "xterm";
  const auto coloured = run_on_tty(env, {"chat", "-m", "nosuch/model", "hi"});
  CHECK(coloured.exit_code == 2);
  CHECK(coloured.screen.find("\033[") != std::string::npos);
  env.env["NO_COLOR"] = "1";
  const auto plain = run_on_tty(env, {"chat", "-m", "nosuch/model", "hi"});
  CHECK(plain.exit_code == 2);
  CHECK(plain.screen.find("\033[") == std::string::npos);
  CHECK(plain.screen.find("llmgw: error: unknown provider 'nosuch'") != std::string::npos);
}
