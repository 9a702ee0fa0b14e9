#include "core/http/sse_parser.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace {

using llmgw::SseEvent;
using llmgw::SseParser;

// Mixes all three line endings, comments, ignored fields, an event without data and
// the OpenAI terminator.
const std::string k_stream =
    ": comment first\r\n"
    "\r\n"
    "event: message_start\n"
    "data: {\"a\":1}\n"
    "id: 7\n"
    "\n"
    "data: line1\r"
    "data:line2\r"
    "data:  two spaces\r"
    "retry: 1000\r"
    "unknown: x\r"
    "\r"
    "event: ping\r\n"
    "\r\n"
    "data\r\n"
    "\r\n"
    "id: 9\n"
    "data: {\"b\":2}\r\n"
    "\n"
    ": keep-alive\n"
    "\n"
    "data: [DONE]\n"
    "\n";

const std::vector<SseEvent> k_expected_events = {
    {"message_start", "{\"a\":1}", "7"},
    {"", "line1\nline2\n two spaces", ""},
    {"", "", ""},  // "data" without a colon: the field with an empty value
    {"", "{\"b\":2}", "9"},
    {"", "[DONE]", ""},
};

// Events as strings, so that Catch can compare and print them.
using Events = std::vector<std::string>;

std::string describe(const SseEvent& e) {
  return "{event=\"" + e.event + "\" data=\"" + e.data + "\" id=\"" + e.id + "\"}";
}

Events describe(const std::vector<SseEvent>& events) {
  Events out;
  for (const auto& e : events) {
    out.push_back(describe(e));
  }
  return out;
}

Events parse(const std::vector<std::string_view>& pieces) {
  SseParser parser;
  Events events;
  const auto collect = [&](const SseEvent& e) { events.push_back(describe(e)); };
  for (auto piece : pieces) {
    parser.feed(piece, collect);
  }
  parser.finish(collect);
  return events;
}

}  // namespace

TEST_CASE("sse parser: reads the reference stream in one piece", "[sse]") {
  CHECK(parse({k_stream}) == describe(k_expected_events));
}

TEST_CASE("sse parser: gives the same events for every split point", "[sse]") {
  const std::string_view all = k_stream;
  for (std::size_t split = 0; split <= all.size(); ++split) {
    INFO("split at byte " << split);
    CHECK(parse({all.substr(0, split), all.substr(split)}) == describe(k_expected_events));
  }
}

TEST_CASE("sse parser: gives the same events fed byte by byte", "[sse]") {
  std::vector<std::string_view> bytes;
  const std::string_view all = k_stream;
  for (std::size_t i = 0; i < all.size(); ++i) {
    bytes.push_back(all.substr(i, 1));
  }
  CHECK(parse(bytes) == describe(k_expected_events));
}

TEST_CASE("sse parser: CRLF split across feeds is one line ending", "[sse]") {
  // If the '\n' after a feed-final '\r' were a second line ending, the blank line would
  // dispatch "a" early and "b" separately.
  CHECK(parse({"data: a\r", "\ndata: b\r", "\n\r", "\n"}) ==
        describe(std::vector<SseEvent>{{"", "a\nb", ""}}));
}

TEST_CASE("sse parser: finish() dispatches an unterminated final event", "[sse]") {
  SECTION("last line unterminated") {
    CHECK(parse({"data: {\"x\":1}\n\ndata: a\ndata: b"}) ==
          describe(std::vector<SseEvent>{{"", "{\"x\":1}", ""}, {"", "a\nb", ""}}));
  }
  SECTION("last line terminated, no blank line") {
    CHECK(parse({"event: e\ndata: tail\n"}) == describe(std::vector<SseEvent>{{"e", "tail", ""}}));
  }
  SECTION("trailing bare CR") {
    CHECK(parse({"data: tail\r"}) == describe(std::vector<SseEvent>{{"", "tail", ""}}));
  }
  SECTION("no data: nothing is dispatched") {
    CHECK(parse({"event: only\nid: 3"}).empty());
    CHECK(parse({": just a comment"}).empty());
    CHECK(parse({""}).empty());
  }
}

TEST_CASE("sse parser: finish() resets the parser for reuse", "[sse]") {
  SseParser parser;
  std::vector<SseEvent> events;
  const auto collect = [&](const SseEvent& e) { events.push_back(e); };
  parser.feed("event: first\nid: 1\ndata: a\r", collect);
  parser.finish(collect);
  // A leading '\n' now starts a new stream (a blank line), not the end of "\r\n".
  parser.feed("\ndata: b\n\n", collect);
  parser.finish(collect);
  CHECK(describe(events) == describe(std::vector<SseEvent>{{"first", "a", "1"}, {"", "b", ""}}));
}

TEST_CASE("sse parser: a field line without a colon", "[sse]") {
  CHECK(parse({"data\ndata\n\n"}) == describe(std::vector<SseEvent>{{"", "\n", ""}}));
  CHECK(parse({"event\ndata: x\n\n"}) == describe(std::vector<SseEvent>{{"", "x", ""}}));
}

TEST_CASE("sse parser: leading blank lines dispatch nothing", "[sse]") {
  CHECK(parse({"\r\n\r\n\r\ndata: x\r\n\r\n"}) == describe(std::vector<SseEvent>{{"", "x", ""}}));
  CHECK(parse({"\n\n\r\r"}).empty());
}

TEST_CASE("sse parser: fields do not leak from an event without data", "[sse]") {
  CHECK(parse({"event: ping\nid: 5\n\ndata: x\n\n"}) ==
        describe(std::vector<SseEvent>{{"", "x", ""}}));
}

TEST_CASE("sse parser: only one space after the colon is stripped", "[sse]") {
  CHECK(parse({"data:   x \n\n"}) == describe(std::vector<SseEvent>{{"", "  x ", ""}}));
  CHECK(parse({"data:\n\n"}) == describe(std::vector<SseEvent>{{"", "", ""}}));
  CHECK(parse({"data: a: b\n\n"}) == describe(std::vector<SseEvent>{{"", "a: b", ""}}));
}
