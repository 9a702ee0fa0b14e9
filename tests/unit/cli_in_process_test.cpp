// Commands run in-process through an injected Io, without the binary.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;

namespace {

struct InProcess {
  test::TempDir home;
  std::istringstream in;
  std::ostringstream out, err;

  int run(std::vector<const char*> args, const std::string& stdin_data = {}) {
    in.str(stdin_data);
    in.clear();
    out.str({});
    err.str({});
    args.insert(args.begin(), "llmgw");
    cli::Io io{in, out, err, false, false, false, fixed_env({{"HOME", home.path().string()}})};
    return cli::run(static_cast<int>(args.size()), args.data(), io);
  }
};

}  // namespace

TEST_CASE("chat runs in-process with injected streams", "[cli]") {
  InProcess cli;
  CHECK(cli.run({"chat", "-m", "mock/echo", "ping"}) == 0);
  CHECK(cli.out.str() == "mock: ping\n");
  CHECK(cli.run({"chat", "-m", "mock/echo"}, "from stdin") == 0);
  CHECK(cli.out.str() == "mock: from stdin\n");
}

TEST_CASE("keys set reads a piped key and never prints it", "[cli]") {
  InProcess cli;
  CHECK(cli.run({"keys", "set", "groq"}, "gsk_abcdefghijklmnop1234\n") == 0);
  CHECK(cli.err.str().find("gsk_abcdefghijklmnop1234") == std::string::npos);
  CHECK(cli.run({"keys", "list"}) == 0);
  CHECK(cli.out.str().find("groq") != std::string::npos);
  CHECK(cli.out.str().find("…1234") != std::string::npos);
  CHECK(cli.out.str().find("abcdef") == std::string::npos);
}

TEST_CASE("errors come out as 'llmgw: error:' with the documented code", "[cli]") {
  InProcess cli;
  CHECK(cli.run({"chat", "-m", "nosuch/x", "hi"}) == 2);
  CHECK(cli.err.str().rfind("llmgw: error: ", 0) == 0);
  CHECK(cli.run({"bogus"}) == 2);
  CHECK(cli.run({"chat", "-m", "gpt-4o", "hi"}) == 3);
  CHECK(cli.err.str().find("OPENAI_API_KEY") != std::string::npos);
}
