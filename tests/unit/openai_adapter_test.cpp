#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/openai_adapter.hpp"
#include "support/fixtures.hpp"
#include "support/http_reply.hpp"

using namespace llmgw;
using llmgw::test::read_fixture;
using nlohmann::json;

using llmgw::test::response;

namespace {

json chat_request() {
  return json::parse(R"({
    "model": "fast",
    "messages": [{"role": "user", "content": "Hi"}],
    "temperature": 0.3,
    "x_vendor_extension": {"keep": "me"},
    "stream_options": {"include_obfuscation": false}
  })");
}

struct Decoded {
  std::vector<json> chunks;
  std::string content;
  bool done = false;
  std::optional<json> usage;
};

// Feeds an SSE body through SseParser in pieces of `piece` bytes, then the decoder.
Decoded decode(const std::string& body, std::size_t piece = 7) {
  SseParser parser;
  openai::StreamDecoder decoder("openai");
  Decoded out;
  const auto on_event = [&](const SseEvent& event) {
    if (auto chunk = decoder.on_event(event)) {
      for (const auto& choice : (*chunk)["choices"]) {
        const auto& delta = choice.value("delta", json::object());
        if (delta.contains("content") && delta["content"].is_string()) {
          out.content += delta["content"].get<std::string>();
        }
      }
      out.chunks.push_back(std::move(*chunk));
    }
  };
  for (std::size_t i = 0; i < body.size(); i += piece) {
    parser.feed(std::string_view(body).substr(i, piece), on_event);
  }
  parser.finish(on_event);
  out.done = decoder.done();
  out.usage = decoder.usage();
  return out;
}

}  // namespace

TEST_CASE("build_chat_request for a non-stream request", "[openai]") {
  openai::Endpoint endpoint{"openai", "https://api.openai.com/v1", "sk-test-123", AuthStyle::bearer,
                            Timeouts{}};
  endpoint.timeouts.connect = std::chrono::milliseconds(1234);
  json request = chat_request();
  request["stream"] = false;
  const HttpRequest http = openai::build_chat_request(request, "gpt-4o-mini", endpoint, false);

  CHECK(http.method == "POST");
  CHECK(http.url == "https://api.openai.com/v1/chat/completions");
  CHECK(http.header("Content-Type") == "application/json");
  CHECK(http.header("Accept") == "application/json");
  CHECK(http.header("Authorization") == "Bearer sk-test-123");
  CHECK(http.header("User-Agent") == std::string("llmgw/") + LLMGW_VERSION);
  CHECK(http.timeouts.connect == std::chrono::milliseconds(1234));

  const json body = json::parse(http.body);
  CHECK(body["model"] == "gpt-4o-mini");
  CHECK(body["temperature"] == 0.3);
  CHECK(body["x_vendor_extension"] == json{{"keep", "me"}});
  CHECK(body["messages"] == request["messages"]);
  CHECK_FALSE(body.contains("stream"));
  CHECK_FALSE(body.contains("stream_options"));
}

TEST_CASE("build_chat_request for a stream asks for usage and keeps other stream_options",
          "[openai]") {
  const openai::Endpoint endpoint{"groq", "http://127.0.0.1:8080/v1/", "k", AuthStyle::bearer,
                                  Timeouts{}};
  const HttpRequest http = openai::build_chat_request(chat_request(), "llama", endpoint, true);
  CHECK(http.url == "http://127.0.0.1:8080/v1/chat/completions");
  CHECK(http.header("Accept") == "text/event-stream");
  const json body = json::parse(http.body);
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"] == json{{"include_obfuscation", false}, {"include_usage", true}});
  CHECK(body["model"] == "llama");

  json no_options = chat_request();
  no_options.erase("stream_options");
  const json body2 = json::parse(openai::build_chat_request(no_options, "m", endpoint, true).body);
  CHECK(body2["stream_options"] == json{{"include_usage", true}});
}

TEST_CASE("build_chat_request auth headers follow the auth style", "[openai]") {
  const auto build = [](AuthStyle auth, std::string key) {
    const openai::Endpoint endpoint{"p", "https://x/v1", std::move(key), auth, Timeouts{}};
    return openai::build_chat_request(chat_request(), "m", endpoint, false);
  };
  const HttpRequest azure = build(AuthStyle::api_key_header, "az-key");
  CHECK(azure.header("api-key") == "az-key");
  CHECK_FALSE(azure.header("Authorization").has_value());

  const HttpRequest none = build(AuthStyle::none, "");
  CHECK_FALSE(none.header("Authorization").has_value());
  CHECK_FALSE(none.header("api-key").has_value());

  const HttpRequest empty_key = build(AuthStyle::bearer, "");
  CHECK_FALSE(empty_key.header("Authorization").has_value());
}

TEST_CASE("parse_chat_response returns the fixture response", "[openai]") {
  const std::string body = read_fixture("openai/chat_response.json");
  const json parsed = openai::parse_chat_response(response(200, body), "openai");
  CHECK(parsed == json::parse(body));
  CHECK(parsed["choices"][0]["message"]["content"] == "Hello! How can I assist you today?");
  CHECK(parsed["usage"]["total_tokens"] == 29);
}

TEST_CASE("parse_chat_response rejects bodies that are not a chat completion", "[openai]") {
  try {
    openai::parse_chat_response(response(200, "<html>\n  oops  </html>"), "groq");
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::upstream);
    CHECK(e.error().message ==
          "groq returned HTTP 200 with a body that is not JSON: <html> oops </html>");
  }
  CHECK_THROWS_AS(openai::parse_chat_response(response(200, "{\"id\":\"x\"}"), "groq"),
                  GatewayError);
  // An error reported with HTTP 200 (OpenRouter) is an upstream error with its message.
  try {
    openai::parse_chat_response(response(200, read_fixture("openai/error_openrouter_402.json")),
                                "openrouter");
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::upstream);
    CHECK(e.error().http_status == 402);
    CHECK(
        e.error().message ==
        "openrouter: Insufficient credits. Add more using https://openrouter.ai/settings/credits");
  }
}

TEST_CASE("map_error: 400 invalid request", "[openai]") {
  const Error e = openai::map_error(response(400, read_fixture("openai/error_400.json")), "openai");
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.http_status == 400);
  CHECK(e.type == "invalid_request_error");
  CHECK(e.provider == "openai");
  CHECK(e.message.rfind("openai: We could not parse the JSON body of your request.", 0) == 0);
  CHECK_FALSE(e.retryable);
  CHECK(e.fix.empty());
}

TEST_CASE("map_error: 401 keeps the provider's redacted key and names the fix", "[openai]") {
  const Error e = openai::map_error(response(401, read_fixture("openai/error_401.json")), "openai");
  CHECK(e.http_status == 401);
  CHECK(e.code == "invalid_api_key");
  CHECK(e.message.rfind("openai: Incorrect API key provided: sk-proj-****", 0) == 0);
  CHECK_FALSE(e.retryable);
  CHECK(e.fix == "check the key: `llmgw keys set openai`");
  CHECK_FALSE(e.retry_after.has_value());
}

TEST_CASE("map_error: 403 names the key fix", "[openai]") {
  const Error e = openai::map_error(
      response(403, R"({"error":{"message":"Country, region, or territory not supported",
      "type":"request_forbidden","param":null,"code":"unsupported_country_region_territory"}})"),
      "openai");
  CHECK(e.fix == "check the key: `llmgw keys set openai`");
  CHECK(e.type == "request_forbidden");
}

TEST_CASE("map_error: 404 model_not_found", "[openai]") {
  const Error e =
      openai::map_error(response(404, read_fixture("openai/error_404_model.json")), "openai");
  CHECK(e.code == "model_not_found");
  CHECK(e.fix == "check the model name");
  CHECK_FALSE(e.retryable);
}

TEST_CASE("map_error: 429 insufficient_quota is not retryable", "[openai]") {
  const Error e =
      openai::map_error(response(429, read_fixture("openai/error_429_insufficient_quota.json"),
                                 {{"retry-after", "20"}}),
                        "openai");
  CHECK(e.http_status == 429);
  CHECK(e.code == "insufficient_quota");
  CHECK(e.type == "insufficient_quota");
  CHECK_FALSE(e.retryable);
  CHECK(e.fix == "add credit at the provider");
}

TEST_CASE("map_error: 429 rate limit is retryable with retry-after seconds", "[openai]") {
  const Error e = openai::map_error(
      response(429, read_fixture("openai/error_429_rate_limit.json"), {{"retry-after", "20"}}),
      "openai");
  CHECK(e.code == "rate_limit_exceeded");
  CHECK(e.type == "requests");
  CHECK(e.retryable);
  REQUIRE(e.retry_after.has_value());
  CHECK(*e.retry_after == Approx(20.0));
}

TEST_CASE("map_error: retry-after-ms wins over retry-after", "[openai]") {
  const Error e = openai::map_error(response(429, read_fixture("openai/error_429_rate_limit.json"),
                                             {{"retry-after", "20"}, {"retry-after-ms", "1500.5"}}),
                                    "openai");
  REQUIRE(e.retry_after.has_value());
  CHECK(*e.retry_after == Approx(1.5005));
}

TEST_CASE("parse_retry_after: seconds, fractions, HTTP-date against Date, junk", "[openai]") {
  CHECK(openai::parse_retry_after(response(429, "", {{"retry-after", " 2.5 "}})) == 2.5);
  CHECK(openai::parse_retry_after(response(429, "", {{"retry-after-ms", "250"}})) == 0.25);
  // An unparseable retry-after-ms falls back to retry-after.
  CHECK(openai::parse_retry_after(
            response(429, "", {{"retry-after-ms", "soon"}, {"retry-after", "3"}})) == 3.0);
  CHECK_FALSE(openai::parse_retry_after(response(429, "", {{"retry-after", "-1"}})).has_value());
  CHECK_FALSE(openai::parse_retry_after(response(429, "", {{"retry-after", "soon"}})).has_value());
  CHECK_FALSE(openai::parse_retry_after(response(429, "")).has_value());

  const Headers dated = {{"date", "Wed, 21 Oct 2015 07:28:00 GMT"},
                         {"retry-after", "Wed, 21 Oct 2015 07:28:45 GMT"}};
  CHECK(openai::parse_retry_after(response(503, "", dated)) == 45.0);
  // Across a day boundary.
  const Headers midnight = {{"date", "Thu, 31 Dec 2015 23:59:50 GMT"},
                            {"retry-after", "Fri, 01 Jan 2016 00:00:20 GMT"}};
  CHECK(openai::parse_retry_after(response(503, "", midnight)) == 30.0);
  // A date in the past means "now".
  const Headers past = {{"date", "Wed, 21 Oct 2015 07:28:00 GMT"},
                        {"retry-after", "Wed, 21 Oct 2015 07:27:00 GMT"}};
  CHECK(openai::parse_retry_after(response(503, "", past)) == 0.0);
  // Without a Date header the module has no clock to compare with.
  CHECK_FALSE(openai::parse_retry_after(
                  response(503, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:45 GMT"}}))
                  .has_value());
}

TEST_CASE("map_error: x-should-retry overrides the status rule", "[openai]") {
  const Error no = openai::map_error(
      response(500, read_fixture("openai/error_500.json"), {{"x-should-retry", "false"}}),
      "openai");
  CHECK_FALSE(no.retryable);
  const Error yes = openai::map_error(
      response(400, read_fixture("openai/error_400.json"), {{"x-should-retry", "true"}}), "openai");
  CHECK(yes.retryable);
}

TEST_CASE("map_error: 500 and 408/409 are retryable", "[openai]") {
  const Error e = openai::map_error(response(500, read_fixture("openai/error_500.json")), "openai");
  CHECK(e.retryable);
  CHECK(e.type == "server_error");
  CHECK(e.message ==
        "openai: The server had an error while processing your request. Sorry about that!");
  CHECK(openai::map_error(response(408, "{}"), "openai").retryable);
  CHECK(openai::map_error(response(409, "{}"), "openai").retryable);
}

TEST_CASE("map_error: OpenRouter int codes", "[openai]") {
  const Error e = openai::map_error(response(402, read_fixture("openai/error_openrouter_402.json")),
                                    "openrouter");
  CHECK(e.http_status == 402);
  CHECK(e.code == "402");
  CHECK(e.message ==
        "openrouter: Insufficient credits. Add more using https://openrouter.ai/settings/credits");
  CHECK_FALSE(e.retryable);
  CHECK(e.fix == "add credit at the provider");

  const Error bad_gateway = openai::map_error(
      response(502, read_fixture("openai/error_openrouter_502.json"), {{"Retry-After", "7"}}),
      "openrouter");
  CHECK(bad_gateway.retryable);
  CHECK(bad_gateway.message ==
        "openrouter: Provider returned error ({\"error\":\"upstream model overloaded\"})");
  REQUIRE(bad_gateway.retry_after.has_value());
  CHECK(*bad_gateway.retry_after == 7.0);
}

TEST_CASE("map_error: other error body shapes", "[openai]") {
  CHECK(openai::map_error(response(400, R"({"error":"bad thing"})"), "together").message ==
        "together: bad thing");
  CHECK(
      openai::map_error(response(422, R"({"message":"Invalid parameters","code":"x"})"), "deepseek")
          .message == "deepseek: Invalid parameters");
  CHECK(openai::map_error(response(400, R"([{"error":{"code":400,"message":"Bad key",
        "status":"INVALID_ARGUMENT"}}])"),
                          "gemini")
            .message == "gemini: Bad key");
  // JSON that says nothing useful is shown as an excerpt.
  CHECK(openai::map_error(response(503, R"({"ok":false})"), "groq").message ==
        "HTTP 503 from groq: {\"ok\":false}");
  CHECK(openai::map_error(response(503, "  \n"), "groq").message ==
        "HTTP 503 from groq (empty body)");
}

TEST_CASE("map_error: a non-JSON body gives a collapsed, cut excerpt", "[openai]") {
  const Error e = openai::map_error(response(502, read_fixture("openai/error_502.html")), "openai");
  CHECK(e.http_status == 502);
  CHECK(e.retryable);
  const std::string prefix =
      "HTTP 502 from openai: <html> <head><title>502 Bad Gateway</title></head> <body>";
  CHECK(e.message.rfind(prefix, 0) == 0);
  CHECK(e.message.find('\n') == std::string::npos);
  CHECK(e.message.find("  ") == std::string::npos);
  const std::string ellipsis = "\u2026";
  REQUIRE(e.message.size() > ellipsis.size());
  CHECK(e.message.substr(e.message.size() - ellipsis.size()) == ellipsis);
  CHECK(e.message.size() == std::string("HTTP 502 from openai: ").size() + 200 + ellipsis.size());
}

TEST_CASE("StreamDecoder: plain text stream with usage and [DONE]", "[openai]") {
  const std::string body = read_fixture("openai/stream_text.sse");
  for (std::size_t piece : {1, 7, 64, 100000}) {
    INFO("piece size " << piece);
    const Decoded d = decode(body, piece);
    CHECK(d.content == "The sky is blue — usually.");
    CHECK(d.done);
    REQUIRE(d.usage.has_value());
    CHECK((*d.usage)["prompt_tokens"] == 14);
    CHECK((*d.usage)["total_tokens"] == 21);
    REQUIRE(d.chunks.size() == 7);
    // The usage chunk is still handed on so the caller decides whether to forward it.
    CHECK(d.chunks.back()["choices"].empty());
    for (const auto& chunk : d.chunks)
      CHECK_FALSE(chunk.contains("obfuscation"));
  }
}

TEST_CASE("StreamDecoder: tool-call stream", "[openai]") {
  const Decoded d = decode(read_fixture("openai/stream_tool_calls.sse"));
  CHECK(d.done);
  CHECK(d.content.empty());
  CHECK(d.chunks.size() == 9);
  REQUIRE(d.usage.has_value());
  CHECK((*d.usage)["completion_tokens"] == 60);
}

TEST_CASE("StreamDecoder: Azure prompt-filter chunk is not a usage chunk", "[openai]") {
  SseParser parser;
  openai::StreamDecoder decoder("azure");
  std::vector<json> chunks;
  bool usage_before_last = false;
  const auto on_event = [&](const SseEvent& event) {
    if (auto chunk = decoder.on_event(event)) {
      chunks.push_back(*chunk);
      if (chunks.size() < 6 && decoder.usage())
        usage_before_last = true;
    }
  };
  parser.feed(read_fixture("openai/stream_azure.sse"), on_event);
  parser.finish(on_event);
  REQUIRE(chunks.size() == 6);
  CHECK(chunks.front()["choices"].empty());
  CHECK(chunks.front().contains("prompt_filter_results"));
  CHECK_FALSE(usage_before_last);
  REQUIRE(decoder.usage().has_value());
  CHECK((*decoder.usage())["total_tokens"] == 12);
  CHECK(decoder.done());
}

TEST_CASE("StreamDecoder: empty data and comments are ignored", "[openai]") {
  openai::StreamDecoder decoder("openai");
  CHECK_FALSE(decoder.on_event(SseEvent{"", "", ""}).has_value());
  CHECK_FALSE(decoder.on_event(SseEvent{"", "  ", ""}).has_value());
  CHECK_FALSE(decoder.done());
  CHECK_FALSE(decoder.on_event(SseEvent{"", "[DONE]", ""}).has_value());
  CHECK(decoder.done());
}

TEST_CASE("StreamDecoder: an in-stream error payload throws the provider's message", "[openai]") {
  const std::string body = read_fixture("openai/stream_openrouter_error.sse");
  SseParser parser;
  openai::StreamDecoder decoder("openrouter");
  std::string content;
  const auto on_event = [&](const SseEvent& event) {
    if (auto chunk = decoder.on_event(event)) {
      content += (*chunk)["choices"][0]["delta"].value("content", "");
    }
  };
  try {
    parser.feed(body, on_event);
    parser.finish(on_event);
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::upstream);
    CHECK(e.error().message == "openrouter: Provider disconnected");
    CHECK(e.error().http_status == 502);
    CHECK(e.error().provider == "openrouter");
  }
  CHECK(content == "Partial");
}

TEST_CASE("StreamDecoder: event: error and error objects with codes", "[openai]") {
  openai::StreamDecoder decoder("openai");
  try {
    decoder.on_event(SseEvent{"error", R"({"error":{"message":"overloaded","type":"server_error",
      "code":null}})",
                              ""});
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().message == "openai: overloaded");
    CHECK(e.error().http_status == 502);
    CHECK(e.error().type == "server_error");
  }
  try {
    decoder.on_event(SseEvent{"error", "upstream went away", ""});
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().message == "openai: upstream went away");
  }
  try {
    decoder.on_event(SseEvent{"", R"({"error":{"message":"slow down","code":429}})", ""});
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().http_status == 429);
    CHECK(e.error().retryable);
  }
}

TEST_CASE("StreamDecoder: a payload that is not JSON breaks the stream", "[openai]") {
  openai::StreamDecoder decoder("openai");
  try {
    decoder.on_event(SseEvent{"", "{\"id\":\"chatcmpl-1\",\"choi", ""});
    FAIL("expected a throw");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::stream_broken);
    CHECK(e.error().message ==
          "openai sent a stream event that is not a JSON object: {\"id\":\"chatcmpl-1\",\"choi");
  }
}
