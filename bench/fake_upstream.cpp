// A fast fake OpenAI upstream for bench/daemon.sh (a benchmark tool, not a test fake):
// it does as little as a server can, so what the benchmark sees is the daemon's cost.
//
//   fake_upstream [--chunks N] [--interval-ms MS]
//
// Listens on 127.0.0.1, any free port, and prints the port as its first stdout line.
//   POST /v1/chat/completions  a fixed chat.completion with usage; a body containing
//                              "stream":true gets N content chunks, MS apart, then a usage
//                              chunk and data: [DONE] (OpenAI's wire format).
// Connections get a thread each (the daemon's growing pool), as many as clients open.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include "bench_server.hpp"

namespace {

const char* const k_completion =
    R"({"id":"chatcmpl-bench","object":"chat.completion","created":1764000000,)"
    R"("model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant",)"
    R"("content":"Hello! How can I help you today?"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}})";

std::string chunk(const std::string& delta, const char* finish) {
  return std::string(R"(data: {"id":"chatcmpl-bench","object":"chat.completion.chunk",)") +
         R"("created":1764000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":)" + delta +
         R"(,"finish_reason":)" + finish + "}]}\n\n";
}

const char* const k_usage_chunk =
    R"(data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764000000,)"
    R"("model":"gpt-4o-mini","choices":[],)"
    R"("usage":{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}})"
    "\n\n";

struct Options {
  int chunks = 20;
  int interval_ms = 50;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--chunks") == 0) {
      options.chunks = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--interval-ms") == 0) {
      options.interval_ms = std::atoi(argv[i + 1]);
    } else {
      std::cerr << "usage: fake_upstream [--chunks N] [--interval-ms MS]\n";
      std::exit(2);
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  llmgw::bench::BenchServer bench;
  httplib::Server& server = bench.server;
  server.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.body.find(R"("stream":true)") == std::string::npos) {
      // The charset keeps cpp-httplib from compressing it (brotli costs ~1 ms a reply).
      res.set_content(k_completion, "application/json; charset=utf-8");
      return;
    }
    const int chunks = options.chunks;
    const auto interval = std::chrono::milliseconds(options.interval_ms);
    res.set_chunked_content_provider(
        "text/event-stream",
        [chunks, interval, sent = -1](std::size_t, httplib::DataSink& sink) mutable {
          std::string data;
          if (sent < 0) {
            data = chunk(R"({"role":"assistant","content":""})", "null");
          } else if (sent < chunks) {
            std::this_thread::sleep_for(interval);
            data = chunk(R"({"content":"word "})", "null");
          } else {
            data = chunk("{}", R"("stop")") + k_usage_chunk + "data: [DONE]\n\n";
            sink.write(data.data(), data.size());
            sink.done();
            return true;
          }
          ++sent;
          return sink.write(data.data(), data.size());
        });
  });
  return bench.run("fake_upstream");
}
