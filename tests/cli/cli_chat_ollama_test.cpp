// End to end: the built binary talking to a fake Ollama server (native /api/chat, NDJSON)
// set through [providers.ollama] base_url.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_provider.hpp"
#include "support/fixtures.hpp"

using llmgw::Protocol;
using llmgw::test::CliEnv;
using llmgw::test::FakeProvider;
using llmgw::test::read_fixture;

TEST_CASE("ollama: streamed and whole answers print the same text and usage", "[cli][ollama]") {
  FakeProvider server{Protocol::ollama};  // checks the path and body as Ollama does
  CliEnv env;
  env.write_config("[providers.ollama]\nbase_url = \"" + server.base_url() + "\"\n");
  server.answer(read_fixture("ollama/response_text.json"),
                read_fixture("ollama/stream_text.ndjson"));

  const auto streamed = env.run({"chat", "-m", "ollama/llama3.2", "-u", "why is the sky blue?"});
  const auto whole =
      env.run({"chat", "-m", "ollama/llama3.2", "-u", "--no-stream", "why is the sky blue?"});
  REQUIRE(streamed.exit_code == 0);
  REQUIRE(whole.exit_code == 0);
  CHECK(streamed.out == "The sky is blue.\n");
  CHECK(whole.out == streamed.out);
  CHECK(streamed.err.find("26 input + 4 output = 30 tokens") != std::string::npos);
  CHECK(whole.err == streamed.err);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].path == "/api/chat");
  CHECK(requests[0].json["model"] == "llama3.2");
  CHECK(requests[0].json["stream"] == true);
  CHECK(requests[1].json["stream"] == false);
  CHECK_FALSE(requests[0].header("authorization"));  // local Ollama takes no key
}

TEST_CASE("ollama: a missing model is exit 4 with Ollama's message and the pull hint",
          "[cli][ollama]") {
  FakeProvider server{Protocol::ollama};
  CliEnv env;
  env.env["OLLAMA_HOST"] = "127.0.0.1:" + std::to_string(server.port());
  server.push_failure(404, R"({"error":"model 'llama9' not found, try pulling it first"})");
  const auto result = env.run({"chat", "-m", "ollama/llama9", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("model 'llama9' not found") != std::string::npos);
  CHECK(result.err.find("ollama pull") != std::string::npos);
}

TEST_CASE("ollama: an error line mid-stream keeps the text and exits 4", "[cli][ollama]") {
  FakeProvider server{Protocol::ollama};
  CliEnv env;
  env.env["OLLAMA_HOST"] = server.base_url();
  server.answer("{}", read_fixture("ollama/stream_error.ndjson"));
  const auto result = env.run({"chat", "-m", "ollama/llama3.2", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.out == "Partial\n");
  CHECK(result.err.find("unexpected EOF") != std::string::npos);
}
