// End to end under a pseudo-terminal: the REPL of `llmgw chat`, typed at as a person
// would, against the built-in mock model.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"
#include "support/openai_user.hpp"
#include "support/pty_session.hpp"
#include "support/text_files.hpp"

using llmgw::test::CliEnv;
using llmgw::test::PtySession;
using nlohmann::json;

namespace {

constexpr const char* k_prompt = "> ";
constexpr const char* k_dim = "\x1b[2m";

struct Terminal : CliEnv {
  Terminal() {
    env["TERM"] = "xterm";
    write_config("[providers.mock]\ndelay_ms = 1\n");
  }

  json conversation(const std::string& id = {}) const {
    std::vector<std::string> args = {"logs", "show", "--json"};
    if (!id.empty())
      args.insert(args.begin() + 2, id);
    const auto result = run(args);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }
};

// Waits for `text` at or after `from` and returns where it ends on the screen.
std::size_t past(PtySession& repl, std::string_view text, std::size_t from) {
  if (!repl.wait_for(text, from)) {
    FAIL("no \"" << text << "\" on the screen after " << from << ":\n"
                 << repl.screen().substr(std::min(from, repl.screen().size())));
  }
  return repl.screen().find(text, from) + text.size();
}

// Types `line` once a prompt is shown at or after `from`, and returns where that prompt
// ends: what the line brings (its echo, the answer, the next prompt) comes after it.
std::size_t send_line(PtySession& repl, const std::string& line, std::size_t from) {
  const std::size_t at = past(repl, k_prompt, from);
  REQUIRE(repl.wait_for_raw_mode());
  repl.type(line + "\r");
  return at;
}

// Waits for the next prompt at or after `from` and for the line editor to hold the
// terminal; returns where the prompt ends.
std::size_t at_prompt(PtySession& repl, std::size_t from) {
  const std::size_t at = past(repl, k_prompt, from);
  REQUIRE(repl.wait_for_raw_mode());
  return at;
}

// Ctrl-D at the next prompt after `from`; the REPL must then exit 0.
void leave(PtySession& repl, std::size_t from) {
  at_prompt(repl, from);
  repl.type("\x04");
  CHECK(repl.finish() == 0);
}

std::vector<std::string> contents(const json& conversation) {
  std::vector<std::string> texts;
  for (const json& message : conversation["messages"])
    texts.push_back(message["content"]);
  return texts;
}

}  // namespace

TEST_CASE("repl: answers stream with a status line, stored as source repl; Ctrl-D leaves",
          "[cli][repl]") {
  Terminal term;
  PtySession repl(term.spec({"chat", "-m", "mock/echo"}));
  REQUIRE(repl.wait_for("/help for commands, Ctrl-D to leave"));
  auto mark = send_line(repl, "hello there", 0);
  REQUIRE(repl.wait_for("mock: hello there", mark));
  CHECK(repl.wait_for(std::string(k_dim) + "mock/echo · ", mark));
  CHECK(repl.wait_for(" in, ", mark));
  mark = send_line(repl, "second", mark);
  leave(repl, past(repl, "mock: second", mark));
  CHECK(repl.echo_on());  // the terminal is given back as it was

  const json stored = term.conversation();
  CHECK(contents(stored) ==
        std::vector<std::string>{"hello there", "mock: hello there", "second", "mock: second"});
  llmgw::Database db = llmgw::open_migrated(term.home() / ".local/share/llmgw/llmgw.db");
  const auto rows = llmgw::read_ledger_rows(db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].source == "repl");
}

TEST_CASE(
    "repl: against OpenAI, each message carries the conversation so far; the status "
    "line its cost",
    "[cli][repl]") {
  llmgw::test::OpenAIUser user("sk-repl-test-000000000000000REPL");
  user.env.env["TERM"] = "xterm";
  PtySession repl(user.env.spec({"chat", "-m", "openai/gpt-4o-mini", "-s", "Be brief"}));
  auto mark = send_line(repl, "first", 0);
  mark = past(repl, "fake: first", mark);
  // 3 words in the messages, 2 in the answer ("fake: first"), at gpt-4o-mini's price.
  mark = past(repl, "openai/gpt-4o-mini · 3 in, 2 out · $0.000002", mark);
  mark = send_line(repl, "second", mark);
  leave(repl, past(repl, "fake: second", mark));
  CHECK(repl.screen().find("REPL") == std::string::npos);  // no part of the key

  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].json["messages"] == json::parse(R"([
    {"role": "system", "content": "Be brief"},
    {"role": "user", "content": "first"},
    {"role": "assistant", "content": "fake: first"},
    {"role": "user", "content": "second"}])"));
  CHECK(requests[1].json["stream"] == true);
}

TEST_CASE("repl: a \"\"\" block and a pasted block are one message each", "[cli][repl]") {
  Terminal term;
  PtySession repl(term.spec({"chat", "-m", "mock/echo"}));
  auto mark = send_line(repl, "\"\"\"", 0);
  mark = past(repl, "... ", mark);
  REQUIRE(repl.wait_for_raw_mode());
  repl.type("line one\r");
  mark = past(repl, "... ", past(repl, "line one", mark));
  REQUIRE(repl.wait_for_raw_mode());
  repl.type("line two\"\"\"\r");
  mark = past(repl, "mock: line one\r\nline two", mark);

  mark = at_prompt(repl, mark);
  repl.type("Sum up: \x1b[200~alpha\rbeta\r\x1b[201~");  // the terminal's bracketed paste
  leave(repl, past(repl, "mock: Sum up: alpha\r\nbeta", mark));
  CHECK(contents(term.conversation()) ==
        std::vector<std::string>{"line one\nline two", "mock: line one\nline two",
                                 "Sum up: alpha\nbeta\n", "mock: Sum up: alpha\nbeta\n"});
}

TEST_CASE("repl: Ctrl-C stops an answer and keeps it, marked cut; at the prompt it clears",
          "[cli][repl]") {
  Terminal term;
  term.write_config("[providers.mock]\ndelay_ms = 300\n");
  PtySession repl(term.spec({"chat", "-m", "mock/slow"}));
  auto mark = send_line(repl, "one two three four five six seven eight", 0);
  mark = past(repl, "mock: one", mark);
  repl.type("\x03");
  mark = past(repl, "answer stopped; the part shown stays in the conversation", mark);
  mark = at_prompt(repl, mark);
  repl.type("never sent\x03");  // gives up the line
  mark = past(repl, "^C", mark);
  mark = send_line(repl, "/usage", mark);
  mark = send_line(repl, "next", past(repl, "this session: 0 requests", mark));
  leave(repl, past(repl, "mock: next", mark));

  const json stored = term.conversation();
  REQUIRE(stored["messages"].size() == 4);
  const json& cut = stored["messages"][1];
  CHECK(cut["cut"] == true);
  CHECK(cut["model"] == "mock/slow");
  const std::string partial = cut["content"];
  CHECK(partial.rfind("mock: one", 0) == 0);
  CHECK(partial.find("eight") == std::string::npos);
  CHECK(stored["messages"][2]["content"] == "next");
  CHECK(stored["messages"][3]["cut"] == false);
}

TEST_CASE("repl: every slash command", "[cli][repl]") {
  Terminal term;
  const auto keep = term.home() / "keep.md";
  std::ofstream(keep) << "the user's own notes";
  llmgw::test::ProcessSpec spec = term.spec({"chat", "-m", "mock/echo"});
  spec.cwd = term.home().string();
  PtySession repl(spec);

  auto mark = send_line(repl, "/help", 0);
  for (const char* command : {"/help", "/model NAME", "/system TEXT", "/clear", "/retry", "/usage",
                              "/save FILE", "/exit"})
    CHECK(repl.wait_for(command, mark));

  mark = send_line(repl, "/model mock/nope", mark);
  REQUIRE(repl.wait_for("still answering with mock/echo", mark));
  // Tab completes the command, then the model name.
  mark = at_prompt(repl, past(repl, "still answering with mock/echo", mark));
  repl.type("/mo\t");
  mark = past(repl, "del ", mark);
  repl.type("mock/sl\t");
  mark = past(repl, "ow ", mark);
  repl.type("\r");
  REQUIRE(repl.wait_for("answering with mock/slow from now on", mark));
  mark = send_line(repl, "/model", mark);
  REQUIRE(repl.wait_for("model: mock/slow", mark));

  mark = send_line(repl, "/system Be brief", mark);
  REQUIRE(repl.wait_for("system prompt set", mark));
  mark = send_line(repl, "first question", mark);
  REQUIRE(repl.wait_for("mock: first question", mark));
  mark = send_line(repl, "/retry", mark);
  REQUIRE(repl.wait_for("mock: first question", mark));
  mark = send_line(repl, "/usage", mark);
  REQUIRE(repl.wait_for("this session: 2 requests", mark));

  mark = send_line(repl, "/save transcript.md", mark);
  REQUIRE(repl.wait_for("saved 2 messages to transcript.md", mark));
  mark = send_line(repl, "/save transcript.md", mark);  // its own file: replaced
  REQUIRE(repl.wait_for("saved 2 messages to transcript.md", mark));
  mark = send_line(repl, "/save keep.md", mark);
  REQUIRE(repl.wait_for("keep.md already exists", mark));

  mark = send_line(repl, "/clear", mark);
  REQUIRE(repl.wait_for("a new conversation begins", mark));
  mark = send_line(repl, "/bogus", mark);
  REQUIRE(repl.wait_for("unknown command /bogus", mark));
  mark = send_line(repl, "//not a command", mark);
  REQUIRE(repl.wait_for("mock: /not a command", mark));
  mark = send_line(repl, "/exit", mark);
  CHECK(repl.finish() == 0);

  // /retry replaced the first answer: the conversation holds one exchange, and the system
  // prompt.
  const json first = term.conversation("1");
  CHECK(first["system"] == "Be brief");
  CHECK(first["model"] == "mock/slow");
  CHECK(contents(first) == std::vector<std::string>{"first question", "mock: first question"});
  const std::string transcript = llmgw::test::read_bytes(term.home() / "transcript.md");
  CHECK(transcript.find("## System\n\nBe brief\n") != std::string::npos);
  CHECK(transcript.find("\nfirst question\n") != std::string::npos);
  CHECK(llmgw::test::read_bytes(keep) == "the user's own notes");
  // /clear began conversation 2.
  CHECK(contents(term.conversation("2")) ==
        std::vector<std::string>{"/not a command", "mock: /not a command"});
}

TEST_CASE("repl: the history is kept, private, across sessions; -c continues", "[cli][repl]") {
  Terminal term;
  {
    PtySession repl(term.spec({"chat", "-m", "mock/echo"}));
    const auto mark = send_line(repl, "remember me", 0);
    leave(repl, past(repl, "mock: remember me", mark));
  }
  const auto history = term.home() / ".local/state/llmgw/history";
  struct stat file {};
  REQUIRE(stat(history.c_str(), &file) == 0);
  CHECK((file.st_mode & 0777) == 0600);
  REQUIRE(stat(history.parent_path().c_str(), &file) == 0);
  CHECK((file.st_mode & 0777) == 0700);

  PtySession repl(term.spec({"chat", "-c"}));
  const auto mark = at_prompt(repl, past(repl, "continuing conversation 1 (2 messages)", 0));
  repl.type("\x1b[A\r");  // Up: the last entry of the last session
  leave(repl, past(repl, "mock: remember me", mark));
  CHECK(term.conversation("1")["messages"].size() == 4);
}

TEST_CASE("repl: NO_COLOR and -q hide the status line", "[cli][repl]") {
  Terminal term;
  SECTION("NO_COLOR") {
    term.env["NO_COLOR"] = "1";
  }
  SECTION("-q") {}
  const bool quiet = term.env.count("NO_COLOR") == 0;
  std::vector<std::string> args = {"chat", "-m", "mock/echo"};
  if (quiet)
    args.push_back("-q");
  PtySession repl(term.spec(args));
  const auto mark = send_line(repl, "hi", 0);
  leave(repl, past(repl, "mock: hi", mark));
  CHECK(repl.screen().find(" in, ") == std::string::npos);
  CHECK(repl.screen().find(k_dim) == std::string::npos);
  CHECK((repl.screen().find("/help for commands") == std::string::npos) == quiet);
}

TEST_CASE("repl: -i needs a terminal", "[cli][repl]") {
  CliEnv env;
  const auto result = env.run({"chat", "-i", "-m", "mock/echo"}, "piped");
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("the REPL (-i) needs a terminal") != std::string::npos);
}

TEST_CASE("repl: Ctrl-Z suspends it under a shell's job control, and fg brings it back",
          "[cli][repl]") {
  Terminal term;
  term.env["PS1"] = "$ ";
  llmgw::test::ProcessSpec shell = term.spec({});
  shell.argv = {"/bin/bash", "--norc", "--noprofile", "-i"};
  PtySession session(shell);
  auto mark = past(session, "$ ", 0);
  session.type(std::string(LLMGW_BINARY) + " chat -m mock/echo\r");
  mark = at_prompt(session, mark);
  session.type("ab\x1a");  // typed, then Ctrl-Z
  mark = past(session, "Stopped", mark);
  mark = past(session, "$ ", mark);
  session.type("fg\r");
  mark = past(session, "chat -m mock/echo", mark);  // bash names the job it resumes
  session.type("c\r");                              // the line kept what was typed
  mark = at_prompt(session, past(session, "mock: abc", mark));
  session.type("\x04");
  mark = past(session, "$ ", mark);
  session.type("exit\r");
  CHECK(session.finish() == 0);
}

TEST_CASE("repl: a conversation removed meanwhile goes on as a new one, nothing lost",
          "[cli][repl]") {
  Terminal term;
  PtySession repl(term.spec({"chat", "-m", "mock/echo"}));
  auto mark = send_line(repl, "one", 0);
  mark = past(repl, "mock: one", mark);
  REQUIRE(term.run({"logs", "rm", "1"}).exit_code == 0);
  mark = send_line(repl, "two", mark);
  mark =
      past(repl, "conversation 1 was removed meanwhile; this exchange starts conversation 2", mark);
  leave(repl, mark);
  CHECK(contents(term.conversation("2")) == std::vector<std::string>{"two", "mock: two"});
}
