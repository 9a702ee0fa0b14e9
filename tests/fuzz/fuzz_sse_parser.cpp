// libFuzzer target: SseParser against a whole-input reference of the rules its header
// promises. Input: one control byte (how the bytes are cut, see feed_in_pieces), then the
// stream. A finding is any difference between the events the parser dispatches and the
// reference's, or a crash.
#include <algorithm>
#include <string>
#include <vector>

#include "core/http/sse_parser.hpp"
#include "fuzz_common.hpp"

namespace {

using llmgw::SseEvent;

bool same(const SseEvent& a, const SseEvent& b) {
  return a.event == b.event && a.data == b.data && a.id == b.id;
}

// Straight from the documented rules, on the whole input at once: lines end at "\r\n",
// "\n" or "\r"; a blank line dispatches an event that has data; ":" starts a comment; one
// space after the field's colon is dropped; data lines join with "\n"; an id with NUL is
// ignored; at the end, a pending event with data is dispatched too.
std::vector<SseEvent> reference(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n')
      continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
      ++i;
    start = i + 1;
  }
  if (start < text.size())
    lines.push_back(text.substr(start));

  std::vector<SseEvent> events;
  SseEvent event;
  bool has_data = false;
  const auto end_event = [&] {
    if (has_data)
      events.push_back(event);
    event = {};
    has_data = false;
  };
  for (const std::string_view line : lines) {
    if (line.empty()) {
      end_event();
      continue;
    }
    if (line.front() == ':')
      continue;
    const std::size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    if (field == "data") {
      event.data += (has_data ? "\n" : "") + std::string(value);
      has_data = true;
    } else if (field == "event") {
      event.event = value;
    } else if (field == "id" && value.find('\0') == std::string_view::npos) {
      event.id = value;
    }
  }
  end_event();
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string_view text = llmgw::fuzz::payload(data, size, 1);
  std::vector<SseEvent> events;
  const auto collect = [&](const SseEvent& event) { events.push_back(event); };
  llmgw::SseParser parser;
  llmgw::fuzz::feed_in_pieces(text, data[0],
                              [&](std::string_view piece) { parser.feed(piece, collect); });
  parser.finish(collect);

  const std::vector<SseEvent> expected = reference(text);
  if (!std::equal(events.begin(), events.end(), expected.begin(), expected.end(), same)) {
    llmgw::fuzz::finding("SseParser dispatched " + std::to_string(events.size()) +
                         " events, the reference " + std::to_string(expected.size()) +
                         " (or their fields differ)");
  }
  return 0;
}
