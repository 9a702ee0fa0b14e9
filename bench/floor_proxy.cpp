// The floor of llmgw serve's architecture, for bench/daemon.sh (a benchmark tool, never
// a product): a cpp-httplib server with a thread per connection (the daemon's pool and
// socket settings) that forwards each POST body to the upstream with libcurl over a kept
// connection and answers with what came back. No JSON, routing, keys, ledger or log:
// what it adds over calling the upstream directly is what any proxy built this way pays
// on this machine (two more loopback hops and their thread wake-ups), so the daemon's
// own cost is its figure minus this one.
//
//   floor_proxy UPSTREAM_PORT
//
// Listens on 127.0.0.1, any free port, and prints the port as its first stdout line.
#include <curl/curl.h>

#include <cstdio>
#include <string>

#include <httplib.h>

#include "bench_server.hpp"

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One easy handle per worker thread, so each client connection keeps its own upstream
// connection alive, as the daemon's curl lanes do.
struct Upstream {
  CURL* easy = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  ~Upstream() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: floor_proxy UPSTREAM_PORT\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string url = std::string("http://127.0.0.1:") + argv[1] + "/v1/chat/completions";
  llmgw::bench::BenchServer bench;
  bench.server.Post(
      "/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
        thread_local Upstream upstream;
        std::string body;
        curl_easy_setopt(upstream.easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(upstream.easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(upstream.easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(upstream.easy, CURLOPT_HTTPHEADER, upstream.headers);
        curl_easy_setopt(upstream.easy, CURLOPT_POSTFIELDS, req.body.c_str());
        curl_easy_setopt(upstream.easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(upstream.easy, CURLOPT_WRITEFUNCTION, &append_body);
        curl_easy_setopt(upstream.easy, CURLOPT_WRITEDATA, &body);
        long status = 502;
        if (curl_easy_perform(upstream.easy) == CURLE_OK)
          curl_easy_getinfo(upstream.easy, CURLINFO_RESPONSE_CODE, &status);
        res.status = static_cast<int>(status);
        res.set_content(body, "application/json; charset=utf-8");  // not brotli-compressed
      });
  return bench.run("floor_proxy");
}
