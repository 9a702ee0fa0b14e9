// A user who stops an answer half-way: runs `llmgw chat -m mock/slow PROMPT` (with the
// config's [providers.mock] delay_ms, set by the caller) and sends `signal` once the first
// words are on stdout: SIGINT is Ctrl-C, SIGTERM a kill, SIGHUP a closed terminal.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "support/cli_env.hpp"

namespace llmgw::test {

// The prompt's last word, "eight", is never reached when the signal comes in time.
inline constexpr const char* k_slow_prompt = "one two three four five six seven eight";

inline ProcessResult interrupt_slow_answer(const CliEnv& env, int signal) {
  Process child(env.spec({"chat", "-m", "mock/slow", k_slow_prompt}));
  REQUIRE(child.wait_for_stdout(
      [](const std::string& out) { return out.find("mock:") != std::string::npos; },
      std::chrono::seconds(10)));
  child.send_signal(signal);
  return child.finish();
}

}  // namespace llmgw::test
