// End to end: `llmgw serve` as a user runs it: the base URL on stdout, answers over
// HTTP, SIGTERM ends it with exit 0 after recording every request, and bad options.
#include <httplib.h>
#include <sys/resource.h>
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"
#include "support/subprocess.hpp"

using llmgw::test::CliEnv;

TEST_CASE("serve: prints its base URL, answers, and stops cleanly on SIGTERM", "[cli][serve]") {
  CliEnv env;
  llmgw::test::Process child(env.spec({"serve", "--port", "0"}));
  std::string first_line;
  REQUIRE(child.wait_for_stdout(
      [&](const std::string& out) {
        first_line = out.substr(0, out.find('\n'));
        return out.find("/v1\n") != std::string::npos;
      },
      std::chrono::seconds(10)));
  // "http://127.0.0.1:PORT/v1"
  const std::string url = first_line;
  REQUIRE(url.rfind("http://127.0.0.1:", 0) == 0);
  const int port = std::stoi(url.substr(17, url.size() - 17 - 3));
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 2; ++i) {
    const auto res = client.Post(
        "/v1/chat/completions",
        R"({"model": "mock/echo", "messages": [{"role": "user", "content": "over http"}]})",
        "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(nlohmann::json::parse(res->body)["choices"][0]["message"]["content"] ==
          "mock: over http");
  }
  child.send_signal(SIGTERM);
  const auto result = child.finish();
  CHECK(result.exit_code == 0);
  CHECK(result.out == url + "\n");  // stdout carries only the base URL
  CHECK(result.err.find("stopped; 2 requests recorded in the ledger") != std::string::npos);
  llmgw::Database db = llmgw::open_migrated(env.home() / ".local/share/llmgw/llmgw.db");
  const auto rows = llmgw::read_ledger_rows(db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].source == "daemon");
}

TEST_CASE("serve: bad options and a taken port are clear errors", "[cli][serve]") {
  CliEnv env;
  const auto exposed = env.run({"serve", "--host", "0.0.0.0", "--port", "0"});
  CHECK(exposed.exit_code == 2);
  CHECK(exposed.err.find("llmgw: error: refusing to listen on 0.0.0.0") == 0);
  CHECK(exposed.err.find("--insecure-no-auth") != std::string::npos);
  const auto bad_port = env.run({"serve", "--port", "70000"});
  CHECK(bad_port.exit_code == 2);

  httplib::Server taken;
  const int port = taken.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  const auto busy = env.run({"serve", "--port", std::to_string(port)});
  CHECK(busy.exit_code != 0);
  CHECK(busy.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(busy.err.find("--port") != std::string::npos);
}

TEST_CASE("serve: raises its open-file limit to the hard limit", "[cli][serve]") {
  // Started under a low soft limit (inherited, as from a shell's ulimit -n), the daemon
  // lifts it so a thousand streams fit.
  rlimit inherited{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &inherited) == 0);
  if (inherited.rlim_max != RLIM_INFINITY && inherited.rlim_max <= 256) {
    SUCCEED("the hard limit is at most 256 here: nothing to raise");
    return;
  }
  rlimit lowered = inherited;
  lowered.rlim_cur = 256;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  CliEnv env;
  llmgw::test::Process child(env.spec({"serve", "--port", "0"}));
  ::setrlimit(RLIMIT_NOFILE, &inherited);  // this process gets its own limit back at once
  REQUIRE(child.wait_for_stdout(
      [](const std::string& out) { return out.find("/v1\n") != std::string::npos; },
      std::chrono::seconds(10)));
  std::ifstream limits("/proc/" + std::to_string(child.pid()) + "/limits");
  std::string line;
  std::string soft;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      fields >> soft;
    }
  }
  const std::string expected = inherited.rlim_max == RLIM_INFINITY
                                   ? std::to_string(1 << 20)
                                   : std::to_string(std::min<rlim_t>(inherited.rlim_max, 1 << 20));
  CHECK(soft == expected);
  child.send_signal(SIGTERM);
  CHECK(child.finish().exit_code == 0);
}
