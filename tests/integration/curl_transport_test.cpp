// CurlTransport against real HTTP servers on 127.0.0.1.
#include "core/http/curl_transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <future>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "support/expect_error.hpp"
#include "support/local_server.hpp"

using namespace std::chrono_literals;
using llmgw::CancelToken;
using llmgw::CurlTransport;
using llmgw::ErrorKind;
using llmgw::GatewayError;
using llmgw::HttpRequest;
using llmgw::HttpResponse;
using llmgw::test::LocalServer;

using llmgw::test::error_of;

namespace {

using Clock = std::chrono::steady_clock;

// Generous limits, so that only the limit a test lowers can fire.
HttpRequest make_request(std::string method, std::string url, std::string body = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = std::move(body);
  request.headers = {{"Content-Type", "application/json"}};
  request.timeouts.connect = 2s;
  request.timeouts.first_byte = 5s;
  request.timeouts.idle = 5s;
  request.timeouts.total = 10s;
  return request;
}

// "Promptly" for these tests: far below the 2 s and 5 s that the fake servers stall, and
// loose enough for a loaded 2-core CI machine running the ASan build. The exact
// timings (about 0.2 s) are what bench-style runs show; the tests only prove that the
// limit, not the server, ended the exchange.
constexpr double k_prompt_limit = 1.8;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const auto k_ignore_chunk = [](std::string_view) {};

// Saves and clears the named environment variables; restores them on destruction.
class EnvGuard {
 public:
  explicit EnvGuard(std::initializer_list<const char*> names) {
    for (const char* name : names) {
      const char* value = std::getenv(name);
      m_saved[name] = value != nullptr ? std::optional<std::string>(value) : std::nullopt;
      unsetenv(name);
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : m_saved) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

  void set(const std::string& name, const std::string& value) {
    REQUIRE(m_saved.count(name) == 1);
    setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  std::map<std::string, std::optional<std::string>> m_saved;
};

// Environment variables through which libcurl picks a proxy.
#define LLMGW_PROXY_VARIABLES                                                                     \
  "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", \
      "NO_PROXY"

// A port on which nothing listens (it was just closed).
int closed_port() {
  LocalServer server;
  return server.port();
}

}  // namespace

TEST_CASE("curl transport: HttpResponse::header is case-insensitive and returns the first match",
          "[curl]") {
  HttpResponse response;
  response.headers = {{"retry-after", "7"}, {"x-a", "1"}, {"x-a", "2"}};
  CHECK(response.header("Retry-After") == "7");
  CHECK(response.header("X-A") == "1");
  CHECK_FALSE(response.header("x-missing").has_value());
}

TEST_CASE("curl transport: sends method, headers and body and returns the response", "[curl]") {
  std::mutex mutex;
  std::vector<std::string> seen;  // "<method> <header checks> <body size>"
  LocalServer server;
  auto record = [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      seen.push_back(req.method + " auth=" + req.get_header_value("Authorization") +
                     " expect=" + (req.has_header("Expect") ? "yes" : "no") +
                     " size=" + std::to_string(req.body.size()));
    }
    res.status = 201;
    res.set_header("X-Custom-Header", "v");
    res.set_content(nlohmann::json{{"method", req.method}, {"body", req.body.substr(0, 20)}}.dump(),
                    "application/json");
  };
  server.http().Post("/echo", record);
  server.http().Get("/echo", record);
  server.http().Delete("/echo", record);
  server.start();
  CurlTransport transport;

  SECTION("POST") {
    HttpRequest request = make_request("POST", server.base_url() + "/echo", R"({"q":"hi"})");
    request.headers.push_back({"Authorization", "Bearer sk-test"});
    request.headers.push_back({"X-Empty", ""});  // sent as "X-Empty;" (httplib drops it)
    const HttpResponse response = transport.send(request, nullptr);
    CHECK(response.status == 201);
    CHECK(response.header("X-CUSTOM-HEADER") == "v");
    for (const auto& [name, value] : response.headers) {
      for (char c : name) {
        CHECK_FALSE((c >= 'A' && c <= 'Z'));
      }
    }
    const auto body = nlohmann::json::parse(response.body);
    CHECK(body["method"] == "POST");
    CHECK(body["body"] == R"({"q":"hi"})");
    std::lock_guard lock(mutex);
    CHECK(seen.at(0) == "POST auth=Bearer sk-test expect=no size=10");
  }
  SECTION("a large POST body goes without Expect: 100-continue") {
    const std::string big(2 * 1024 * 1024, 'x');
    const HttpResponse response =
        transport.send(make_request("POST", server.base_url() + "/echo", big), nullptr);
    CHECK(response.status == 201);
    std::lock_guard lock(mutex);
    CHECK(seen.at(0) == "POST auth= expect=no size=" + std::to_string(big.size()));
  }
  SECTION("GET and DELETE") {
    CHECK(nlohmann::json::parse(
              transport.send(make_request("GET", server.base_url() + "/echo"), nullptr).body)
              .at("method") == "GET");
    CHECK(nlohmann::json::parse(
              transport.send(make_request("DELETE", server.base_url() + "/echo"), nullptr).body)
              .at("method") == "DELETE");
  }
}

TEST_CASE("curl transport: streams body bytes as they arrive", "[curl]") {
  std::promise<void> first_seen;
  std::shared_future<void> first_seen_future = first_seen.get_future().share();
  std::atomic<bool> released_in_time{false};
  LocalServer server;
  server.http().Post("/stream", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream", [&](size_t, httplib::DataSink& sink) {
      sink.write("data: one\n\n", 11);
      // The second event is only sent once the client has seen the first one (or after
      // 2 s, in which case the transport buffered and the test fails).
      released_in_time = first_seen_future.wait_for(2s) == std::future_status::ready;
      sink.write("data: two\n\n", 11);
      sink.done();
      return true;
    });
  });
  server.start();
  CurlTransport transport;

  std::string received;
  bool signalled = false;
  const HttpResponse response = transport.stream(
      make_request("POST", server.base_url() + "/stream", "{}"),
      [&](std::string_view bytes) {
        received.append(bytes);
        if (!signalled && received.find("data: one\n\n") != std::string::npos) {
          signalled = true;
          first_seen.set_value();
        }
      },
      nullptr);
  CHECK(released_in_time);
  CHECK(received == "data: one\n\ndata: two\n\n");
  CHECK(response.status == 200);
  CHECK(response.body.empty());
  CHECK(response.header("content-type") == "text/event-stream");
}

TEST_CASE("curl transport: keeps connections alive across calls and threads", "[curl]") {
  LocalServer server;
  server.http().Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  server.start();
  CurlTransport transport;
  const HttpRequest request = make_request("GET", server.base_url() + "/ping");

  for (int i = 0; i < 3; ++i) {
    CHECK(transport.send(request, nullptr).body == "pong");
  }
  CHECK(transport.connections_opened() == 1);
  CHECK(server.connections_seen() == 1);

  // Sequential calls from other threads reuse the same connection.
  for (int i = 0; i < 2; ++i) {
    std::string body;
    std::thread([&] { body = transport.send(request, nullptr).body; }).join();
    CHECK(body == "pong");
  }
  CHECK(transport.connections_opened() == 1);
  CHECK(server.connections_seen() == 1);

  SECTION("concurrent calls each get a connection and all succeed") {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 5; ++i) {
          if (transport.send(request, nullptr).body == "pong") {
            ++ok;
          }
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    CHECK(ok == 20);
    CHECK(transport.connections_opened() <= 4);
  }
}

TEST_CASE("curl transport: reports a refused connection as a network error", "[curl]") {
  const int port = closed_port();
  CurlTransport transport;
  const auto start = Clock::now();
  const auto error = error_of([&] {
    transport.send(make_request("POST", "http://127.0.0.1:" + std::to_string(port) + "/v1/x"),
                   nullptr);
  });
  CHECK(error.kind == ErrorKind::network);
  CHECK(error.message ==
        "could not connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  CHECK_THAT(error.fix, Catch::Contains("base_url"));
  CHECK(error.retryable);
  CHECK(seconds_since(start) < k_prompt_limit);
}

TEST_CASE("curl transport: rejects unusable URLs as configuration errors", "[curl]") {
  CurlTransport transport;
  CHECK(error_of([&] { transport.send(make_request("GET", "not a url"), nullptr); }).kind ==
        ErrorKind::config);
  CHECK(error_of([&] { transport.send(make_request("GET", "ftp://127.0.0.1/x"), nullptr); }).kind ==
        ErrorKind::config);
}

TEST_CASE("curl transport: enforces the connect timeout", "[curl]") {
  // A listening socket whose accept queue is full: the kernel drops further SYNs, so a
  // connect neither succeeds nor fails.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 0) == 0);
  socklen_t length = sizeof address;
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(filler);
  }
  std::this_thread::sleep_for(20ms);

  CurlTransport transport;
  HttpRequest request =
      make_request("GET", "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/");
  request.timeouts.connect = 200ms;
  const auto start = Clock::now();
  const auto error = error_of([&] { transport.send(request, nullptr); });
  const double elapsed = seconds_since(start);

  for (int fd : fillers) {
    close(fd);
  }
  close(listener);
  CHECK(error.kind == ErrorKind::timeout);
  CHECK(error.message == "connect to 127.0.0.1:" + std::to_string(ntohs(address.sin_port)) +
                             " timed out after 0.2 s");
  CHECK_THAT(error.fix, Catch::Contains("connect_timeout"));
  CHECK(elapsed < k_prompt_limit);
}

TEST_CASE("curl transport: enforces the first-byte timeout", "[curl]") {
  LocalServer server;
  server.http().Post("/slow", [&server](const httplib::Request&, httplib::Response& res) {
    server.wait_unless_stopping(2s);
    res.set_content("late", "text/plain");
  });
  server.start();
  CurlTransport transport;
  HttpRequest request = make_request("POST", server.base_url() + "/slow", "{}");
  request.timeouts.first_byte = 200ms;

  const auto start = Clock::now();
  const auto error = error_of([&] { transport.send(request, nullptr); });
  const double elapsed = seconds_since(start);
  CHECK(error.kind == ErrorKind::timeout);
  CHECK(error.message == "no response from 127.0.0.1:" + std::to_string(server.port()) +
                             " within 0.2 s (first-byte timeout)");
  CHECK_THAT(error.fix, Catch::Contains("first_byte_timeout"));
  CHECK(elapsed >= 0.19);
  CHECK(elapsed < k_prompt_limit);
}

TEST_CASE("curl transport: enforces the idle timeout mid-stream", "[curl]") {
  LocalServer server;
  server.http().Post("/stall", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream",
                                     [&server](size_t, httplib::DataSink& sink) {
                                       sink.write("data: one\n\n", 11);
                                       server.wait_unless_stopping(2s);
                                       sink.write("data: two\n\n", 11);
                                       sink.done();
                                       return true;
                                     });
  });
  server.start();
  CurlTransport transport;
  HttpRequest request = make_request("POST", server.base_url() + "/stall", "{}");
  request.timeouts.idle = 200ms;

  std::string received;
  const auto start = Clock::now();
  const auto error = error_of([&] {
    transport.stream(
        request, [&](std::string_view bytes) { received.append(bytes); }, nullptr);
  });
  const double elapsed = seconds_since(start);
  CHECK(error.kind == ErrorKind::timeout);
  CHECK(error.message == "the stream from 127.0.0.1:" + std::to_string(server.port()) +
                             " stalled for 0.2 s (idle timeout)");
  CHECK_THAT(error.fix, Catch::Contains("idle_timeout"));
  CHECK(received == "data: one\n\n");
  CHECK(elapsed < k_prompt_limit);
}

TEST_CASE("curl transport: enforces the total timeout", "[curl]") {
  LocalServer server;
  server.http().Post("/drip", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream",
                                     [&server](size_t, httplib::DataSink& sink) {
                                       // Never idle for long, never finished.
                                       while (server.wait_unless_stopping(50ms)) {
                                         if (!sink.write(": tick\n\n", 8)) {
                                           return false;
                                         }
                                       }
                                       return false;
                                     });
  });
  server.start();
  CurlTransport transport;
  HttpRequest request = make_request("POST", server.base_url() + "/drip", "{}");
  request.timeouts.idle = 300ms;
  request.timeouts.total = 400ms;

  std::size_t received = 0;
  const auto start = Clock::now();
  const auto error = error_of([&] {
    transport.stream(
        request, [&](std::string_view bytes) { received += bytes.size(); }, nullptr);
  });
  const double elapsed = seconds_since(start);
  CHECK(error.kind == ErrorKind::timeout);
  CHECK(error.message == "request to 127.0.0.1:" + std::to_string(server.port()) +
                             " exceeded the total timeout of 0.4 s");
  CHECK_THAT(error.fix, Catch::Contains("total_timeout"));
  CHECK(received > 0);
  CHECK(elapsed >= 0.39);
  CHECK(elapsed < k_prompt_limit);
}

TEST_CASE("curl transport: is cancelled promptly from another thread", "[curl]") {
  LocalServer server;
  server.http().Post("/hang", [&server](const httplib::Request&, httplib::Response& res) {
    server.wait_unless_stopping(5s);
    res.set_content("late", "text/plain");
  });
  server.http().Post("/hang-stream", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream",
                                     [&server](size_t, httplib::DataSink& sink) {
                                       sink.write("data: one\n\n", 11);
                                       server.wait_unless_stopping(5s);
                                       return false;
                                     });
  });
  server.start();
  CurlTransport transport;

  for (const std::string path : {"/hang", "/hang-stream"}) {
    INFO(path);
    CancelToken cancel;
    Clock::time_point cancelled_at;
    std::thread canceller([&] {
      std::this_thread::sleep_for(100ms);
      cancelled_at = Clock::now();
      cancel.cancel();
    });
    const auto error = error_of([&] {
      transport.stream(make_request("POST", server.base_url() + path, "{}"), k_ignore_chunk,
                       &cancel);
    });
    const double reaction = seconds_since(cancelled_at);
    canceller.join();
    CHECK(error.kind == ErrorKind::cancelled);
    CHECK(error.message == "request cancelled");
    CHECK(reaction < k_prompt_limit);
  }

  SECTION("a token cancelled before the call stops it at once") {
    CancelToken cancel;
    cancel.cancel();
    CHECK(error_of([&] {
            transport.send(make_request("POST", server.base_url() + "/hang", "{}"), &cancel);
          }).kind == ErrorKind::cancelled);
  }
}

TEST_CASE("curl transport: reports a stream cut off mid-way as stream_broken", "[curl]") {
  LocalServer server;
  server.http().Post("/cut", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream", [](size_t, httplib::DataSink& sink) {
      sink.write("data: one\n\n", 11);
      sink.write("data: two\n\n", 11);
      return false;  // httplib closes the socket without the final chunk
    });
  });
  server.http().Post("/short", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(100, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
      sink.write("{\"partial\":", 11);
      return false;  // 89 of the declared 100 bytes never come
    });
  });
  server.start();
  CurlTransport transport;
  const std::string host = "127.0.0.1:" + std::to_string(server.port());

  SECTION("stream()") {
    std::string received;
    const auto error = error_of([&] {
      transport.stream(
          make_request("POST", server.base_url() + "/cut", "{}"),
          [&](std::string_view bytes) { received.append(bytes); }, nullptr);
    });
    CHECK(error.kind == ErrorKind::stream_broken);
    CHECK_THAT(error.message, Catch::StartsWith("the stream from " + host + " was cut off: "));
    CHECK(received == "data: one\n\ndata: two\n\n");
  }
  SECTION("send()") {
    const auto error = error_of(
        [&] { transport.send(make_request("POST", server.base_url() + "/short", "{}"), nullptr); });
    CHECK(error.kind == ErrorKind::network);
    CHECK_THAT(error.message, Catch::StartsWith("the response from " + host + " was cut off: "));
  }
}

TEST_CASE("curl transport: collects a non-2xx body in stream() instead of streaming it", "[curl]") {
  LocalServer server;
  server.http().Post("/limited", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "7");
    res.set_content(
        R"({"error":{"message":"slow down","type":"requests","param":null,"code":null}})",
        "application/json");
  });
  server.http().Post("/huge-error", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content(std::string(3 * 1024 * 1024, 'e'), "text/plain");
  });
  server.start();
  CurlTransport transport;
  int chunks = 0;
  const auto count_chunk = [&](std::string_view) { ++chunks; };

  const HttpResponse limited = transport.stream(
      make_request("POST", server.base_url() + "/limited", "{}"), count_chunk, nullptr);
  CHECK(limited.status == 429);
  CHECK(limited.header("retry-after") == "7");
  CHECK(nlohmann::json::parse(limited.body)["error"]["message"] == "slow down");

  const HttpResponse huge = transport.stream(
      make_request("POST", server.base_url() + "/huge-error", "{}"), count_chunk, nullptr);
  CHECK(huge.status == 500);
  CHECK(huge.body.size() == 1024 * 1024);
  CHECK(chunks == 0);
}

TEST_CASE("curl transport: aborts when on_chunk throws and rethrows that exception", "[curl]") {
  struct StopHere : std::runtime_error {
    StopHere() : std::runtime_error("stop here") {}
  };
  LocalServer server;
  server.http().Post("/endless", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream",
                                     [&server](size_t, httplib::DataSink& sink) {
                                       while (server.wait_unless_stopping(10ms)) {
                                         if (!sink.write("data: x\n\n", 9)) {
                                           return false;
                                         }
                                       }
                                       return false;
                                     });
  });
  server.http().Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  server.start();
  CurlTransport transport;

  int calls = 0;
  const auto start = Clock::now();
  CHECK_THROWS_AS(transport.stream(
                      make_request("POST", server.base_url() + "/endless", "{}"),
                      [&](std::string_view) {
                        ++calls;
                        throw StopHere();
                      },
                      nullptr),
                  StopHere);
  CHECK(calls == 1);
  CHECK(seconds_since(start) < k_prompt_limit);
  // The transport is still usable afterwards.
  CHECK(transport.send(make_request("GET", server.base_url() + "/ping"), nullptr).body == "pong");
}

TEST_CASE("curl transport: honours http_proxy and NO_PROXY from the environment", "[curl]") {
  std::mutex mutex;
  std::vector<std::string> proxied;  // "<target> host=<Host header>"
  LocalServer proxy;
  proxy.http().Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      proxied.push_back(req.target + " host=" + req.get_header_value("Host"));
    }
    res.set_content("via proxy", "text/plain");
  });
  proxy.start();
  EnvGuard env({LLMGW_PROXY_VARIABLES});
  CurlTransport transport;
  const HttpRequest request = make_request("POST", "http://upstream.invalid/v1/x", "{}");

  env.set("http_proxy", proxy.base_url());
  const HttpResponse response = transport.send(request, nullptr);
  CHECK(response.body == "via proxy");
  {
    std::lock_guard lock(mutex);
    REQUIRE(proxied.size() == 1);
    CHECK(proxied[0] == "http://upstream.invalid/v1/x host=upstream.invalid");
  }

  env.set("NO_PROXY", "upstream.invalid");
  const auto error = error_of([&] { transport.send(request, nullptr); });
  CHECK(error.kind == ErrorKind::network);
  CHECK_THAT(error.message, Catch::Contains("upstream.invalid"));
  std::lock_guard lock(mutex);
  CHECK(proxied.size() == 1);
}
