// The fake OpenAI upstream speaks the wire format (wire-formats.md §2) and its scripted
// faults really happen on the wire. Checked through the real CurlTransport.
#include "support/fake_openai.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/http/curl_transport.hpp"
#include "core/http/sse_parser.hpp"

using namespace std::chrono_literals;
using llmgw::CurlTransport;
using llmgw::ErrorKind;
using llmgw::GatewayError;
using llmgw::HttpRequest;
using llmgw::HttpResponse;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

const json k_chat = {{"model", "gpt-4o-mini"},
                     {"messages",
                      {{{"role", "system"}, {"content", "be brief"}},
                       {{"role", "user"}, {"content", "hello there"}}}}};

HttpRequest chat_request(const FakeOpenAI& server, json body) {
  HttpRequest request;
  request.url = server.base_url() + "/v1/chat/completions";
  request.headers = {{"Authorization", "Bearer sk-test-1234"},
                     {"Content-Type", "application/json"}};
  request.body = body.dump();
  request.timeouts.first_byte = 5s;
  request.timeouts.idle = 5s;
  request.timeouts.total = 10s;
  return request;
}

json stream_body(bool include_usage) {
  json body = k_chat;
  body["stream"] = true;
  if (include_usage) {
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

struct StreamResult {
  HttpResponse response;
  std::vector<std::string> data;  // data of every SSE event
};

StreamResult stream_events(CurlTransport& transport, const HttpRequest& request) {
  StreamResult result;
  llmgw::SseParser parser;
  const auto collect = [&](const llmgw::SseEvent& e) { result.data.push_back(e.data); };
  result.response = transport.stream(
      request, [&](std::string_view bytes) { parser.feed(bytes, collect); }, nullptr);
  parser.finish(collect);
  return result;
}

}  // namespace

TEST_CASE("fake openai: answers a chat request with a valid completion by default", "[fake]") {
  FakeOpenAI server;
  CurlTransport transport;
  const HttpResponse response = transport.send(chat_request(server, k_chat), nullptr);

  REQUIRE(response.status == 200);
  CHECK(response.header("content-type") == "application/json");
  CHECK(response.header("x-request-id") == "req_fake_1");
  const json body = json::parse(response.body);
  CHECK(body["object"] == "chat.completion");
  CHECK(body["model"] == "gpt-4o-mini");
  CHECK(body["id"].is_string());
  CHECK(body["created"].is_number_integer());
  const json& choice = body["choices"].at(0);
  CHECK(choice["index"] == 0);
  CHECK(choice["message"]["role"] == "assistant");
  CHECK(choice["message"]["content"] == "fake: hello there");
  CHECK(choice["message"]["refusal"].is_null());
  CHECK(choice["finish_reason"] == "stop");
  CHECK(choice["logprobs"].is_null());
  CHECK(body["usage"]["prompt_tokens"] == 4);  // "be brief" + "hello there"
  CHECK(body["usage"]["completion_tokens"] == 3);
  CHECK(body["usage"]["total_tokens"] == 7);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/v1/chat/completions");
  CHECK(requests[0].header("AUTHORIZATION") == "Bearer sk-test-1234");
  CHECK(requests[0].json == k_chat);
}

TEST_CASE("fake openai: streams the default reply as chunks ending with [DONE]", "[fake]") {
  FakeOpenAI server;
  CurlTransport transport;

  for (bool include_usage : {false, true}) {
    INFO("include_usage " << include_usage);
    const StreamResult result =
        stream_events(transport, chat_request(server, stream_body(include_usage)));
    REQUIRE(result.response.status == 200);
    CHECK(result.response.header("content-type") == "text/event-stream");
    REQUIRE(result.data.size() >= 4);
    CHECK(result.data.back() == "[DONE]");

    std::string content;
    std::string finish_reason;
    std::optional<json> usage;
    for (std::size_t i = 0; i + 1 < result.data.size(); ++i) {
      const json chunk = json::parse(result.data[i]);
      CHECK(chunk["object"] == "chat.completion.chunk");
      if (chunk["choices"].empty()) {
        usage = chunk["usage"];
        CHECK(i + 2 == result.data.size());  // the usage chunk comes just before [DONE]
        continue;
      }
      const json& choice = chunk["choices"][0];
      if (i == 0) {
        CHECK(choice["delta"]["role"] == "assistant");
      }
      content += choice["delta"].value("content", "");
      if (!choice["finish_reason"].is_null()) {
        finish_reason = choice["finish_reason"];
      }
    }
    CHECK(content == "fake: hello there");
    CHECK(finish_reason == "stop");
    CHECK(usage.has_value() == include_usage);
    if (usage) {
      CHECK((*usage)["total_tokens"] == 7);
    }
  }
}

TEST_CASE("fake openai: cut-off really breaks the stream", "[fake]") {
  FakeOpenAI server;
  CurlTransport transport;
  server.push(Reply::echo().with_cut_after(2));

  std::vector<std::string> data;
  llmgw::SseParser parser;
  try {
    transport.stream(
        chat_request(server, stream_body(true)),
        [&](std::string_view bytes) {
          parser.feed(bytes, [&](const llmgw::SseEvent& e) { data.push_back(e.data); });
        },
        nullptr);
    FAIL("the stream was not cut off");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::stream_broken);
  }
  CHECK(data.size() == 2);
}

TEST_CASE("fake openai: plays scripted replies in order, then the default", "[fake]") {
  FakeOpenAI server;
  CurlTransport transport;
  server.push(Reply::error(401, "Incorrect API key provided: sk-...wxyz", "invalid_request_error",
                           "invalid_api_key"));
  server.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                  .with_header("Retry-After", "3"));
  server.push(Reply::raw(502, "<html><body>Bad gateway</body></html>"));
  server.push(Reply::sse({": comment", "event: custom\ndata: {\"x\":1}", "data: [DONE]"}));
  CHECK(server.pending() == 4);

  const HttpResponse unauthorized = transport.send(chat_request(server, k_chat), nullptr);
  CHECK(unauthorized.status == 401);
  CHECK(json::parse(unauthorized.body) ==
        json::parse(R"({"error":{"message":"Incorrect API key provided: sk-...wxyz",
                        "type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"));

  const HttpResponse limited = transport.send(chat_request(server, k_chat), nullptr);
  CHECK(limited.status == 429);
  CHECK(limited.header("retry-after") == "3");

  const HttpResponse bad_gateway = transport.send(chat_request(server, k_chat), nullptr);
  CHECK(bad_gateway.status == 502);
  CHECK(bad_gateway.header("content-type") == "text/html");
  CHECK(bad_gateway.body == "<html><body>Bad gateway</body></html>");

  const StreamResult custom = stream_events(transport, chat_request(server, stream_body(false)));
  CHECK(custom.data == std::vector<std::string>{"{\"x\":1}", "[DONE]"});

  CHECK(server.pending() == 0);
  const HttpResponse fallback = transport.send(chat_request(server, k_chat), nullptr);
  CHECK(fallback.status == 200);
  CHECK(server.requests().size() == 5);
  CHECK(server.connections_seen() == 1);
}

TEST_CASE("fake openai: serves models, rejects bad bodies and unknown paths", "[fake]") {
  FakeOpenAI server;
  CurlTransport transport;

  HttpRequest models;
  models.method = "GET";
  models.url = server.base_url() + "/v1/models";
  const HttpResponse list = transport.send(models, nullptr);
  CHECK(list.status == 200);
  const json body = json::parse(list.body);
  CHECK(body["object"] == "list");
  REQUIRE(body["data"].size() == FakeOpenAI::k_models.size());
  CHECK(body["data"][0]["id"] == FakeOpenAI::k_models[0]);
  CHECK(body["data"][0]["object"] == "model");

  HttpRequest bad = chat_request(server, k_chat);
  bad.body = "{not json";
  const HttpResponse rejected = transport.send(bad, nullptr);
  CHECK(rejected.status == 400);
  CHECK(json::parse(rejected.body)["error"]["type"] == "invalid_request_error");
  CHECK(server.requests().back().json.is_null());

  HttpRequest unknown = chat_request(server, k_chat);
  unknown.url = server.base_url() + "/v1/unknown";
  const HttpResponse missing = transport.send(unknown, nullptr);
  CHECK(missing.status == 404);
  CHECK(json::parse(missing.body)["error"]["message"] == "Invalid URL (POST /v1/unknown)");
}

TEST_CASE("fake openai: delay and stall trigger the transport's timeouts", "[fake]") {
  FakeOpenAI server;
  CurlTransport transport;

  SECTION("delay before the headers") {
    server.push(Reply::echo().with_delay(2s));
    HttpRequest request = chat_request(server, k_chat);
    request.timeouts.first_byte = 200ms;
    try {
      transport.send(request, nullptr);
      FAIL("no timeout");
    } catch (const GatewayError& e) {
      CHECK(e.error().kind == ErrorKind::timeout);
      CHECK_THAT(e.error().message, Catch::Contains("first-byte"));
    }
  }
  SECTION("stall mid-stream") {
    server.push(Reply::echo().with_stall(2, 2s));
    HttpRequest request = chat_request(server, stream_body(false));
    request.timeouts.idle = 200ms;
    std::string received;
    try {
      transport.stream(
          request, [&](std::string_view bytes) { received.append(bytes); }, nullptr);
      FAIL("no timeout");
    } catch (const GatewayError& e) {
      CHECK(e.error().kind == ErrorKind::timeout);
      CHECK_THAT(e.error().message, Catch::Contains("idle"));
    }
    CHECK_THAT(received, Catch::Contains("fake: "));
  }
}
