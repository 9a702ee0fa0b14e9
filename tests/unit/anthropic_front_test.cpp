// The Anthropic Messages front end, request and answer sides: Anthropic requests →
// canonical (fixtures, validation, round trips through the Anthropic adapter), canonical
// answers and errors → Anthropic's shapes. The stream encoder has its own file.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/frontends/anthropic_messages.hpp"
#include "core/frontends/client_error.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/validation.hpp"
#include "daemon/error_response.hpp"
#include "support/expect_error.hpp"
#include "support/fixtures.hpp"
#include "support/protocol_limits.hpp"
#include "support/request_meaning.hpp"
#include "support/request_readers.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using nlohmann::json;

namespace {

json fixture(const std::string& name) {
  return json::parse(test::read_fixture("anthropic_front/" + name));
}

json minimal(json extra = json::object()) {
  json request = {{"model", "claude-sonnet-4-5"},
                  {"max_tokens", 100},
                  {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};
  request.update(extra);
  return request;
}

json with_messages(json messages) {
  return minimal({{"messages", std::move(messages)}});
}

json canonical_messages(const json& messages) {
  return anthropic_front::to_canonical(with_messages(messages))["messages"];
}

}  // namespace

// ---------------------------------------------------------------- request mapping

TEST_CASE("anthropic_front: a full request maps exactly to the expected canonical request",
          "[anthropic_front]") {
  const json canonical = anthropic_front::to_canonical(fixture("request_full.anthropic.json"));
  CHECK(canonical == fixture("request_full.canonical.json"));
  // What comes out is a request the Gateway's own edge validation accepts.
  CHECK_NOTHROW(validate_chat_request(canonical));
  CHECK_NOTHROW(validate_chat_request(
      anthropic_front::to_canonical(fixture("request_turns.anthropic.json"))));
}

TEST_CASE("anthropic_front: a streaming request asks for usage", "[anthropic_front]") {
  const json canonical = anthropic_front::to_canonical(minimal({{"stream", true}}));
  CHECK(canonical["stream"] == true);
  CHECK(canonical["stream_options"] == json{{"include_usage", true}});
  const json whole = anthropic_front::to_canonical(minimal({{"stream", false}}));
  CHECK(whole["stream"] == false);
  CHECK_FALSE(whole.contains("stream_options"));
  CHECK_FALSE(anthropic_front::to_canonical(minimal()).contains("stream"));
}

TEST_CASE("anthropic_front: tool_choice and parallel calls map to OpenAI's", "[anthropic_front]") {
  const auto mapped = [](json choice) {
    return anthropic_front::to_canonical(minimal({{"tool_choice", std::move(choice)}}));
  };
  CHECK(mapped({{"type", "auto"}})["tool_choice"] == "auto");
  CHECK(mapped({{"type", "any"}})["tool_choice"] == "required");
  CHECK(mapped({{"type", "none"}})["tool_choice"] == "none");
  CHECK(mapped({{"type", "tool"}, {"name", "f"}})["tool_choice"] ==
        json{{"type", "function"}, {"function", {{"name", "f"}}}});
  CHECK_FALSE(mapped({{"type", "auto"}}).contains("parallel_tool_calls"));
  CHECK(mapped({{"type", "auto"}, {"disable_parallel_tool_use", true}})["parallel_tool_calls"] ==
        false);
  CHECK_FALSE(mapped({{"type", "auto"}, {"disable_parallel_tool_use", false}})
                  .contains("parallel_tool_calls"));
}

TEST_CASE("anthropic_front: thinking is dropped, and a message left empty with it",
          "[anthropic_front]") {
  const json messages =
      canonical_messages({{{"role", "user"}, {"content", "Think."}},
                          {{"role", "assistant"},
                           {"content",
                            {{{"type", "redacted_thinking"}, {"data", "abc"}},
                             {{"type", "thinking"}, {"thinking", "hm"}, {"signature", "s"}}}}},
                          {{"role", "user"}, {"content", "Well?"}}});
  CHECK(messages ==
        json{{{"role", "user"}, {"content", "Think."}}, {{"role", "user"}, {"content", "Well?"}}});
}

TEST_CASE("anthropic_front: tool results come first, show errors, keep images",
          "[anthropic_front]") {
  const json image = {{"type", "image"},
                      {"source", {{"type", "url"}, {"url", "https://example.com/shot.png"}}}};
  const json messages = canonical_messages(
      {{{"role", "assistant"},
        {"content",
         {{{"type", "tool_use"}, {"id", "t1"}, {"name", "shot"}, {"input", json::object()}},
          {{"type", "tool_use"}, {"id", "t2"}, {"name", "shot"}, {"input", json::object()}},
          {{"type", "tool_use"}, {"id", "t3"}, {"name", "shot"}, {"input", json::object()}}}}},
       {{"role", "user"},
        {"content",
         {{{"type", "text"}, {"text", "Here:"}},
          {{"type", "tool_result"},
           {"tool_use_id", "t1"},
           {"content", {image}},
           {"is_error", true}},
          {{"type", "tool_result"}, {"tool_use_id", "t2"}},
          {{"type", "tool_result"},
           {"tool_use_id", "t3"},
           {"is_error", true},
           {"content", ""}}}}}});
  REQUIRE(messages.size() == 5);
  CHECK(messages[0]["content"].is_null());
  CHECK(messages[1] == json{{"role", "tool"},
                            {"tool_call_id", "t1"},
                            {"content",
                             {{{"type", "text"}, {"text", "[tool error] "}},
                              {{"type", "image_url"},
                               {"image_url", {{"url", "https://example.com/shot.png"}}}}}}});
  CHECK(messages[2] == json{{"role", "tool"}, {"tool_call_id", "t2"}, {"content", ""}});
  CHECK(messages[3]["content"] == "[tool error] ");
  CHECK(messages[4] ==
        json{{"role", "user"}, {"content", {{{"type", "text"}, {"text", "Here:"}}}}});
}

TEST_CASE("anthropic_front: dropped_fields names what has no canonical place",
          "[anthropic_front]") {
  CHECK(anthropic_front::dropped_fields(fixture("request_full.anthropic.json")) ==
        std::vector<std::string>{"service_tier", "thinking"});
  CHECK(anthropic_front::dropped_fields(minimal()).empty());
}

// to_canonical(x) and to_canonical(adapter(to_canonical(x))) mean the same, but for what
// the Anthropic adapter is known not to carry (test::carried lists it, e.g. system pieces
// joined by "\n\n"); and an independent reader of the Anthropic body agrees.
TEST_CASE("anthropic_front: meaning survives a round trip through the Anthropic adapter",
          "[anthropic_front]") {
  for (const char* name : {"request_full.anthropic.json", "request_turns.anthropic.json"}) {
    INFO(name);
    const json canonical = anthropic_front::to_canonical(fixture(name));
    const json body = anthropic::to_anthropic_request(canonical, "claude-x", false);
    INFO("adapter body: " << body.dump());
    const json again = anthropic_front::to_canonical(body);
    const auto expected = test::carried(Protocol::anthropic, canonical);
    REQUIRE(expected);
    CHECK(test::meaning(again) == test::meaning(*expected));
    // Beyond what the oracle compares, what the Anthropic adapter carries comes back.
    for (const char* key : {"tool_choice", "top_k", "user", "parallel_tool_calls", "stop"}) {
      INFO(key);
      CHECK(again.value(key, json()) == canonical.value(key, json()));
    }
  }
  // request_turns has no documents and no is_error, which the reader does not know.
  const json turns = fixture("request_turns.anthropic.json");
  CHECK(test::meaning(anthropic_front::to_canonical(turns)) ==
        test::meaning(test::openai_from_anthropic(turns)));
}

// ---------------------------------------------------------------- validation

namespace {

struct Invalid {
  json request;
  std::string param;
  std::string message;
};

json user_blocks(json blocks) {
  return with_messages({{{"role", "user"}, {"content", std::move(blocks)}}});
}

json assistant_blocks(json blocks) {
  return with_messages({{{"role", "user"}, {"content", "Hi"}},
                        {{"role", "assistant"}, {"content", std::move(blocks)}}});
}

}  // namespace

TEST_CASE("anthropic_front: every validation error names its field and says what is wrong",
          "[anthropic_front]") {
  json no_model = minimal();
  no_model.erase("model");
  json no_max = minimal();
  no_max.erase("max_tokens");
  json no_messages = minimal();
  no_messages.erase("messages");
  const json base64_without_data = {{"type", "base64"}, {"media_type", "image/png"}};
  const std::vector<Invalid> cases = {
      {json::array(), "", "the request body must be a JSON object, got []"},
      {no_model, "model", "model must be a string, but it is missing"},
      {minimal({{"model", 4}}), "model", "model must be a string, got 4"},
      {minimal({{"model", ""}}), "model", "model must be a non-empty string"},
      {no_max, "max_tokens", "max_tokens must be an integer of at least 1, but it is missing"},
      {minimal({{"max_tokens", 0}}), "max_tokens",
       "max_tokens must be an integer of at least 1, got 0"},
      {minimal({{"max_tokens", 2.5}}), "max_tokens",
       "max_tokens must be an integer of at least 1, got 2.5"},
      {no_messages, "messages", "messages must be an array of messages, but it is missing"},
      {minimal({{"messages", "Hi"}}), "messages",
       "messages must be an array of messages, got \"Hi\""},
      {minimal({{"messages", json::array()}}), "messages",
       "messages must contain at least one message"},
      {with_messages({"Hi"}), "messages.0",
       "messages.0 must be an object with role and content, got \"Hi\""},
      {with_messages({{{"content", "Hi"}}}), "messages.0.role",
       "messages.0.role must be a string, but it is missing"},
      {with_messages({{{"role", "system"}, {"content", "Hi"}}}), "messages.0.role",
       "messages.0.role must be \"user\" or \"assistant\", got \"system\" (a system prompt goes in "
       "the top-level system field)"},
      {with_messages({{{"role", "user"}}}), "messages.0.content",
       "messages.0.content must be a string or an array of content blocks, but it is missing"},
      {with_messages({{{"role", "user"}, {"content", 7}}}), "messages.0.content",
       "messages.0.content must be a string or an array of content blocks, got 7"},
      {user_blocks({"Hi"}), "messages.0.content.0",
       "messages.0.content.0 must be a content block object, got \"Hi\""},
      {user_blocks({{{"text", "Hi"}}}), "messages.0.content.0.type",
       "messages.0.content.0.type must be a string, but it is missing"},
      {user_blocks({{{"type", "text"}, {"text", 1}}}), "messages.0.content.0.text",
       "messages.0.content.0.text must be a string, got 1"},
      {user_blocks({{{"type", "image"}}}), "messages.0.content.0.source",
       "messages.0.content.0.source must be an object, but it is missing"},
      {user_blocks({{{"type", "image"}, {"source", base64_without_data}}}),
       "messages.0.content.0.source.data",
       "messages.0.content.0.source.data must be a string, but it is missing"},
      {user_blocks({{{"type", "image"}, {"source", {{"type", "file"}, {"file_id", "f"}}}}}),
       "messages.0.content.0.source.type",
       "messages.0.content.0.source.type \"file\" is not supported by llmgw; send the content "
       "inline as base64 or url"},
      {user_blocks({{{"type", "document"}, {"source", {{"type", "url"}, {"url", "https://x"}}}}}),
       "messages.0.content.0.source.type",
       "messages.0.content.0.source.type \"url\" is not supported by llmgw; send the content "
       "inline as base64 or text"},
      {user_blocks({{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}, {"input", json::object()}}}),
       "messages.0.content.0.type",
       "messages.0.content.0.type \"tool_use\" is only allowed in assistant messages"},
      {user_blocks({{{"type", "search_result"}}}), "messages.0.content.0.type",
       "messages.0.content.0.type \"search_result\" is not supported by llmgw; supported blocks "
       "are text, image, document, tool_use, tool_result and thinking"},
      {user_blocks({{{"type", "tool_result"}}}), "messages.0.content.0.tool_use_id",
       "messages.0.content.0.tool_use_id must be a string, but it is missing"},
      {user_blocks({{{"type", "tool_result"}, {"tool_use_id", "t"}, {"content", 3}}}),
       "messages.0.content.0.content",
       "messages.0.content.0.content must be a string or an array of text and image blocks, got 3"},
      {user_blocks({{{"type", "tool_result"},
                     {"tool_use_id", "t"},
                     {"content", {{{"type", "document"}}}}}}),
       "messages.0.content.0.content.0.type",
       "messages.0.content.0.content.0.type \"document\" is not supported in a tool_result by "
       "llmgw; use text or image blocks"},
      {user_blocks({{{"type", "tool_result"}, {"tool_use_id", "t"}, {"is_error", "yes"}}}),
       "messages.0.content.0.is_error",
       "messages.0.content.0.is_error must be true or false, got \"yes\""},
      {assistant_blocks({{{"type", "tool_result"}, {"tool_use_id", "t"}}}),
       "messages.1.content.0.type",
       "messages.1.content.0.type \"tool_result\" is only allowed in user messages"},
      {assistant_blocks({{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}}}),
       "messages.1.content.0.input",
       "messages.1.content.0.input must be an object, but it is missing"},
      {assistant_blocks({{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}, {"input", "{}"}}}),
       "messages.1.content.0.input", "messages.1.content.0.input must be an object, got \"{}\""},
      {assistant_blocks({{{"type", "tool_use"}, {"name", "f"}, {"input", json::object()}}}),
       "messages.1.content.0.id", "messages.1.content.0.id must be a string, but it is missing"},
      {minimal({{"system", 5}}), "system",
       "system must be a string or an array of text blocks, got 5"},
      {minimal({{"system", {{{"type", "image"}}}}}), "system.0.type",
       "system.0.type must be \"text\" in the system prompt, got \"image\""},
      {minimal({{"temperature", 1.5}}), "temperature",
       "temperature must be a number between 0 and 1, got 1.5"},
      {minimal({{"top_p", "high"}}), "top_p",
       "top_p must be a number between 0 and 1, got \"high\""},
      {minimal({{"top_k", -1}}), "top_k", "top_k must be a non-negative integer, got -1"},
      {minimal({{"stop_sequences", "END"}}), "stop_sequences",
       "stop_sequences must be an array of strings, got \"END\""},
      {minimal({{"stop_sequences", {"a", 2}}}), "stop_sequences.1",
       "stop_sequences.1 must be a string, got 2"},
      {minimal({{"stop_sequences", {"a", "b", "c", "d", "e"}}}), "stop_sequences",
       "stop_sequences may hold at most 4 sequences through llmgw, got 5"},
      {minimal({{"metadata", "u"}}), "metadata", "metadata must be an object, got \"u\""},
      {minimal({{"metadata", {{"user_id", 12}}}}), "metadata.user_id",
       "metadata.user_id must be a string, got 12"},
      {minimal({{"stream", "yes"}}), "stream", "stream must be true or false, got \"yes\""},
      {minimal({{"tools", {{"name", "f"}}}}), "tools",
       "tools must be an array of tools, got {\"name\":\"f\"}"},
      {minimal({{"tools", {{{"input_schema", json::object()}}}}}), "tools.0.name",
       "tools.0.name must be a string, but it is missing"},
      {minimal({{"tools", {{{"name", "f"}}}}}), "tools.0.input_schema",
       "tools.0.input_schema must be a JSON Schema object, but it is missing"},
      {minimal(
           {{"tools", {{{"name", "f"}, {"description", 1}, {"input_schema", json::object()}}}}}),
       "tools.0.description", "tools.0.description must be a string, got 1"},
      {minimal({{"tools", {{{"type", "web_search_20250305"}, {"name", "web_search"}}}}}),
       "tools.0.type",
       "tools.0.type \"web_search_20250305\" is a server tool, which llmgw cannot run; only "
       "custom tools (name, description, input_schema) are supported"},
      {minimal({{"tool_choice", "auto"}}), "tool_choice",
       "tool_choice must be an object such as {\"type\":\"auto\"}, got \"auto\""},
      {minimal({{"tool_choice", {{"type", "required"}}}}), "tool_choice.type",
       "tool_choice.type must be one of auto, any, tool, none, got \"required\""},
      {minimal({{"tool_choice", {{"type", "tool"}}}}), "tool_choice.name",
       "tool_choice.name must be a string, but it is missing"},
      {minimal({{"tool_choice", {{"type", "any"}, {"disable_parallel_tool_use", 1}}}}),
       "tool_choice.disable_parallel_tool_use",
       "tool_choice.disable_parallel_tool_use must be true or false, got 1"},
  };
  for (const auto& c : cases) {
    INFO("request: " << c.request.dump());
    const Error error = error_of([&] { anthropic_front::to_canonical(c.request); });
    CHECK(error.kind == ErrorKind::invalid_request);
    CHECK(error.http_status == 400);
    CHECK(error.param == c.param);
    CHECK(error.message == c.message);
  }
}

TEST_CASE("anthropic_front: optional fields given as null count as absent", "[anthropic_front]") {
  const json canonical =
      anthropic_front::to_canonical(minimal({{"system", nullptr},
                                             {"temperature", nullptr},
                                             {"metadata", {{"user_id", nullptr}}},
                                             {"tools", nullptr},
                                             {"stream", nullptr}}));
  CHECK(canonical == anthropic_front::to_canonical(minimal()));
}

// ---------------------------------------------------------------- answers

TEST_CASE("anthropic_front: a completion maps exactly to the expected Anthropic message",
          "[anthropic_front]") {
  CHECK(anthropic_front::to_anthropic_response(fixture("completion_tool_use.canonical.json"),
                                               "claude-sonnet-4-5") ==
        fixture("completion_tool_use.anthropic.json"));
}

namespace {

json completion(json message, json finish_reason = "stop", json extra = json::object()) {
  json out = {
      {"id", "chatcmpl-9"},
      {"object", "chat.completion"},
      {"created", 1},
      {"model", "gpt-4o"},
      {"choices",
       {{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason}}}}};
  out.update(extra);
  return out;
}

json call(std::string id, json arguments) {
  return {{"id", std::move(id)},
          {"type", "function"},
          {"function", {{"name", "f"}, {"arguments", std::move(arguments)}}}};
}

}  // namespace

TEST_CASE("anthropic_front: tool arguments that are no JSON object become {}",
          "[anthropic_front]") {
  const json message = {{"role", "assistant"},
                        {"content", nullptr},
                        {"tool_calls",
                         {call("a", "{\"x\": 1}"), call("b", "{\"x\": "), call("c", ""),
                          call("d", "[1, 2]"), call("e", {{"y", 2}}), call("", "{}")}}};
  const json answer =
      anthropic_front::to_anthropic_response(completion(message, "tool_calls"), "m");
  const json& content = answer["content"];
  REQUIRE(content.size() == 6);
  CHECK(content[0]["input"] == json{{"x", 1}});
  CHECK(content[1]["input"] == json::object());
  CHECK(content[2]["input"] == json::object());
  CHECK(content[3]["input"] == json::object());
  CHECK(content[4]["input"] == json{{"y", 2}});
  // A call without an id gets one from the message id and its position.
  CHECK(content[5]["id"] == "toolu_chatcmpl-9_5");
  CHECK(answer["stop_reason"] == "tool_use");
}

TEST_CASE("anthropic_front: message ids, model and empty answers", "[anthropic_front]") {
  const json text = {{"role", "assistant"}, {"content", "Hi"}};
  CHECK(anthropic_front::to_anthropic_response(completion(text), "m")["id"] == "msg_chatcmpl-9");
  CHECK(anthropic_front::to_anthropic_response(completion(text, "stop", {{"id", "msg_01abc"}}),
                                               "m")["id"] == "msg_01abc");
  // No id: one derived from the answer, the same for the same answer only.
  const json a =
      anthropic_front::to_anthropic_response(completion(text, "stop", {{"id", ""}}), "m");
  const json b =
      anthropic_front::to_anthropic_response(completion(text, "stop", {{"id", ""}}), "m");
  const json other = anthropic_front::to_anthropic_response(
      completion({{"role", "assistant"}, {"content", "Bye"}}, "stop", {{"id", ""}}), "m");
  CHECK(a["id"].get<std::string>().rfind("msg_llmgw_", 0) == 0);
  CHECK(a["id"] == b["id"]);
  CHECK(a["id"] != other["id"]);

  CHECK(anthropic_front::to_anthropic_response(completion(text), "")["model"] == "gpt-4o");
  CHECK(anthropic_front::to_anthropic_response(completion(text), "claude")["model"] == "claude");

  const json empty = anthropic_front::to_anthropic_response(
      completion({{"role", "assistant"}, {"content", ""}}), "m");
  CHECK(empty["content"] == json::array());
  CHECK(empty["stop_reason"] == "end_turn");
  CHECK(empty["usage"] == json{{"input_tokens", 0},
                               {"cache_creation_input_tokens", 0},
                               {"cache_read_input_tokens", 0},
                               {"output_tokens", 0}});
  const json parts = anthropic_front::to_anthropic_response(
      completion(
          {{"role", "assistant"},
           {"content", {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}}}}),
      "m");
  CHECK(parts["content"] == json{{{"type", "text"}, {"text", "ab"}}});
}

TEST_CASE("anthropic_front: finish reasons map to stop reasons", "[anthropic_front]") {
  using anthropic_front::to_stop_reason;
  CHECK(to_stop_reason("stop", false) == "end_turn");
  CHECK(to_stop_reason(nullptr, false) == "end_turn");
  CHECK(to_stop_reason("something_new", false) == "end_turn");
  CHECK(to_stop_reason("length", false) == "max_tokens");
  CHECK(to_stop_reason("length", true) == "max_tokens");
  CHECK(to_stop_reason("tool_calls", false) == "tool_use");
  CHECK(to_stop_reason("function_call", false) == "tool_use");
  CHECK(to_stop_reason("stop", true) == "tool_use");
  CHECK(to_stop_reason("content_filter", false) == "refusal");

  const json refused = anthropic_front::to_anthropic_response(
      completion({{"role", "assistant"}, {"content", nullptr}, {"refusal", "I can't help."}},
                 "content_filter"),
      "m");
  CHECK(refused["content"] == json{{{"type", "text"}, {"text", "I can't help."}}});
  CHECK(refused["stop_reason"] == "refusal");
}

TEST_CASE("anthropic_front: usage splits the prompt into plain input and cache",
          "[anthropic_front]") {
  using anthropic_front::to_anthropic_usage;
  CHECK(to_anthropic_usage({{"prompt_tokens", 100},
                            {"completion_tokens", 7},
                            {"prompt_tokens_details", {{"cached_tokens", 30}}}}) ==
        json{{"input_tokens", 70},
             {"cache_creation_input_tokens", 0},
             {"cache_read_input_tokens", 30},
             {"output_tokens", 7}});
  CHECK(
      to_anthropic_usage(
          {{"prompt_tokens", 10},
           {"prompt_tokens_details",
            {{"cached_tokens", 8}, {"cache_write_tokens", 5}, {"cache_write_1h_tokens", 5}}}}) ==
      json{{"input_tokens", 0},
           {"cache_creation_input_tokens", 5},
           {"cache_read_input_tokens", 8},
           {"cache_creation", {{"ephemeral_5m_input_tokens", 0}, {"ephemeral_1h_input_tokens", 5}}},
           {"output_tokens", 0}});
  // Anthropic → canonical → Anthropic gives the provider's own counts back.
  const json anthropic_usage = {{"input_tokens", 57},
                                {"cache_creation_input_tokens", 1200},
                                {"cache_read_input_tokens", 2048},
                                {"output_tokens", 131}};
  CHECK(to_anthropic_usage(anthropic::to_openai_usage(anthropic_usage)) == anthropic_usage);
}

// ---------------------------------------------------------------- errors

TEST_CASE("anthropic_front: errors get Anthropic's statuses and types", "[anthropic_front]") {
  struct Case {
    Error error;
    int status;
    const char* type;
  };
  Error upstream_auth = make_error(ErrorKind::upstream, "openai: Incorrect API key provided");
  upstream_auth.http_status = 401;
  Error overloaded = make_error(ErrorKind::upstream, "anthropic: Overloaded");
  overloaded.http_status = 529;
  Error too_large = make_error(ErrorKind::upstream, "too large");
  too_large.http_status = 413;
  Error server = make_error(ErrorKind::upstream, "openai: boom");
  server.http_status = 500;
  Error conflict = make_error(ErrorKind::upstream, "conflict");
  conflict.http_status = 409;
  Error odd = make_error(ErrorKind::internal, "odd");
  odd.http_status = 200;
  const std::vector<Case> cases = {
      {make_error(ErrorKind::invalid_request, "bad"), 400, "invalid_request_error"},
      {make_error(ErrorKind::unauthorized, "no key"), 401, "authentication_error"},
      {make_error(ErrorKind::forbidden, "not this model"), 403, "permission_error"},
      {make_error(ErrorKind::not_found, "no route"), 404, "not_found_error"},
      {make_error(ErrorKind::unknown_model, "no model"), 404, "not_found_error"},
      {too_large, 413, "request_too_large"},
      {make_error(ErrorKind::rate_limited, "slow down"), 429, "rate_limit_error"},
      {make_error(ErrorKind::quota, "budget spent"), 429, "rate_limit_error"},
      {server, 500, "api_error"},
      {overloaded, 529, "overloaded_error"},
      {make_error(ErrorKind::network, "reset"), 502, "api_error"},
      {make_error(ErrorKind::timeout, "slow upstream"), 504, "timeout_error"},
      {conflict, 409, "invalid_request_error"},
      {odd, 500, "api_error"},
      // llmgw's provider key was refused: not the client's key, so not a 401 to it.
      {upstream_auth, 502, "api_error"},
  };
  for (const auto& c : cases) {
    INFO(c.error.message);
    const auto [status, body] = anthropic_front::error_response(c.error);
    CHECK(status == c.status);
    CHECK(body ==
          json{{"type", "error"}, {"error", {{"type", c.type}, {"message", c.error.message}}}});
  }
}

TEST_CASE("anthropic_front: an error's fix ends its message, in bodies and stream events",
          "[anthropic_front]") {
  const Error error =
      make_error(ErrorKind::unauthorized, "the client key is revoked", "ask for a new key");
  const json expected = {{"type", "error"},
                         {"error",
                          {{"type", "authentication_error"},
                           {"message", "the client key is revoked (fix: ask for a new key)"}}}};
  CHECK(anthropic_front::error_response(error).second == expected);
  const anthropic_front::SseEvent event = anthropic_front::error_event(error);
  CHECK(event.event == "error");
  CHECK(event.data == expected);
  // The OpenAI front end shows the same status and message through the same rules.
  const daemon::ErrorResponse openai = daemon::openai_error_response(error);
  CHECK(openai.status == client_status(error));
  CHECK(openai.body["error"]["message"] == client_message(error));
}
