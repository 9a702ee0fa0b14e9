// The two readers of a Gemini stream event (gemini_stream_event.hpp) must agree wherever
// the plain (SAX) one accepts, and it must decline everything outside the plain shape.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/http/sse_parser.hpp"
#include "core/providers/gemini_stream_event.hpp"
#include "support/fixtures.hpp"

using llmgw::SseEvent;
using llmgw::SseParser;
using llmgw::gemini::read_plain_stream_event;
using llmgw::gemini::read_stream_event;
using llmgw::gemini::StreamEvent;
using nlohmann::json;

namespace {

// The event as the DOM reader reads it.
StreamEvent dom_read(const std::string& text) {
  const json parsed = json::parse(text);
  REQUIRE(parsed.is_object());
  StreamEvent out;
  read_stream_event(parsed, out);
  return out;
}

// The event as the plain reader reads it; fails the test when it declines.
StreamEvent plain_read(const std::string& text) {
  StreamEvent out;
  REQUIRE(read_plain_stream_event(text, out));
  return out;
}

bool plain_declines(const std::string& text) {
  StreamEvent out;
  return !read_plain_stream_event(text, out);
}

std::vector<std::string> fixture_events(const std::string& name) {
  std::vector<std::string> events;
  SseParser parser;
  const auto keep = [&](const SseEvent& event) { events.push_back(event.data); };
  parser.feed(llmgw::test::read_fixture(name), keep);
  parser.finish(keep);
  return events;
}

}  // namespace

TEST_CASE("gemini event: a plain text event is read without a DOM", "[gemini]") {
  const std::string text = R"({"candidates":[{"content":{"parts":[{"text":"Hel"},{"text":"lo"}],
      "role":"model"},"index":0,"safetyRatings":[{"category":"X","probability":"NEGLIGIBLE"}]}],
      "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7,
      "promptTokensDetails":[{"modality":"TEXT","tokenCount":5}]},
      "modelVersion":"gemini-2.5-flash","responseId":"r-1"})";
  const StreamEvent event = plain_read(text);
  CHECK(event.response_id == "r-1");
  CHECK(event.model_version == "gemini-2.5-flash");
  REQUIRE(event.candidates.size() == 1);
  CHECK(event.candidates[0].text == "Hello");
  CHECK(event.candidates[0].index == 0);
  CHECK_FALSE(event.candidates[0].finish_reason.has_value());
  CHECK(event.candidates_listed);
  REQUIRE(event.usage_metadata.has_value());
  CHECK(*event.usage_metadata == json{{"promptTokenCount", 5},
                                      {"candidatesTokenCount", 2},
                                      {"totalTokenCount", 7},
                                      {"promptTokensDetails", nullptr}});
  CHECK(event == dom_read(text));
}

TEST_CASE("gemini event: both readers agree on every event the plain one accepts", "[gemini]") {
  std::vector<std::string> events = fixture_events("gemini/stream_text.sse");
  const std::vector<std::string> more = {
      // thoughts, with the flag before or after the text, or false
      R"({"candidates":[{"content":{"parts":[{"thought":true,"text":"hmm"},{"text":"A"},
          {"text":"B","thought":false},{"text":"no","thought":true}]}}]})",
      // several candidates, indexes given or not, finish reasons
      R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"},
          {"index":3,"content":{"parts":[]},"finishReason":"MAX_TOKENS"},{}]})",
      // members the decoder does not read, at every level, scalar or nested
      R"({"candidates":[{"content":{"parts":[{"text":"t","thoughtSignature":"c2ln",
          "inlineData":{"mimeType":"image/png","data":"AA=="}}],"role":"model"},
          "citationMetadata":{"citations":[{"startIndex":1}]},"avgLogprobs":-0.5,
          "groundingMetadata":null}],"createTime":"2025-01-01T00:00:00Z","extra":[[{}]]})",
      // usage members of every scalar type, repeated keys in usage, nested members
      R"({"usageMetadata":{"promptTokenCount":-1,"candidatesTokenCount":2.5,"x":"s",
          "y":true,"z":null,"totalTokenCount":1,"totalTokenCount":9,
          "cacheTokensDetails":{"a":[1]}}})",
      // usage only, no candidates; an empty candidates array
      R"({"usageMetadata":{"promptTokenCount":3}})",
      R"({"candidates":[],"responseId":""})",
      R"({})",
      // text with escapes and non-ASCII
      R"({"candidates":[{"content":{"parts":[{"text":"\"q\"\n\u00e9 \ud83d\ude00 ü"}]}}]})",
      // a large unsigned index
      R"({"candidates":[{"index":18446744073709551615,"content":{"parts":[{"text":"x"}]}}]})",
  };
  events.insert(events.end(), more.begin(), more.end());
  for (const std::string& text : events) {
    INFO(text);
    CHECK(plain_read(text) == dom_read(text));
  }
}

TEST_CASE("gemini event: the plain reader declines what is not plain", "[gemini]") {
  const std::vector<std::string> declined = {
      "",
      "not json",
      R"({"candidates":[]} trailing)",
      R"("text")",
      R"(5)",
      // an array of responses (Gemini without alt=sse)
      R"([{"candidates":[{"content":{"parts":[{"text":"x"}]}}]}])",
      // errors and prompt blocks
      R"({"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}})",
      R"({"error":null})",
      R"({"promptFeedback":{"blockReason":"SAFETY"}})",
      // function calls
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]}}]})",
      // repeated keys among those read
      R"({"candidates":[],"candidates":[]})",
      R"({"responseId":"a","responseId":"b"})",
      R"({"candidates":[{"content":{"parts":[{"text":"a","text":"b"}]}}]})",
      R"({"candidates":[{"content":{"parts":[]},"content":{"parts":[]}}]})",
      R"({"candidates":[{"content":{"parts":[],"parts":[]}}]})",
      R"({"candidates":[{"index":0,"index":1}]})",
      // wrong types and nulls where a value is read
      R"({"candidates":{}})",
      R"({"candidates":null})",
      R"({"candidates":[1]})",
      R"({"candidates":[[]]})",
      R"({"candidates":[{"content":[]}]})",
      R"({"candidates":[{"content":{"parts":{}}}]})",
      R"({"candidates":[{"content":{"parts":["x"]}}]})",
      R"({"candidates":[{"content":{"parts":[{"text":5}]}}]})",
      R"({"candidates":[{"content":{"parts":[{"text":null}]}}]})",
      R"({"candidates":[{"content":{"parts":[{"text":"x","thought":"yes"}]}}]})",
      R"({"candidates":[{"index":1.0}]})",
      R"({"candidates":[{"index":"0"}]})",
      R"({"candidates":[{"finishReason":7}]})",
      R"({"usageMetadata":5})",
      R"({"usageMetadata":[]})",
      R"({"responseId":7})",
      R"({"modelVersion":{}})",
      // invalid UTF-8 in a string
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\xff\"}]}}]}",
  };
  for (const std::string& text : declined) {
    INFO(text);
    CHECK(plain_declines(text));
  }
}

TEST_CASE("gemini event: the DOM reader reads what the plain one declines", "[gemini]") {
  const StreamEvent calls = dom_read(
      R"({"candidates":[{"content":{"parts":[{"text":"a"},{"functionCall":{"name":"f","args":
      {"x":1}},"thoughtSignature":"c2ln"},{"text":"b"}]},"finishReason":"STOP"}]})");
  REQUIRE(calls.candidates.size() == 1);
  CHECK(calls.candidates[0].text == "ab");
  REQUIRE(calls.candidates[0].call_parts.size() == 1);
  CHECK(calls.candidates[0].call_parts[0]["thoughtSignature"] == "c2ln");
  CHECK(calls.candidates[0].finish_reason == "STOP");

  const StreamEvent blocked = dom_read(R"({"promptFeedback":{"blockReason":"SAFETY"}})");
  CHECK(blocked.block_reason == "SAFETY");
  CHECK_FALSE(blocked.candidates_listed);

  // Entries that are not objects are skipped, but the list still counts as given.
  const StreamEvent odd = dom_read(R"({"candidates":[1,{"content":{"parts":[{"text":"x"}]}}]})");
  CHECK(odd.candidates_listed);
  REQUIRE(odd.candidates.size() == 1);
  CHECK(odd.candidates[0].index == 1);
}
