// Incremental Server-Sent Events parser (WHATWG event-stream rules as providers use them).
// Feed it bytes in pieces of any size, split anywhere (even inside "\r\n"); it calls back
// once per complete event. Accepts "\n", "\r\n" and "\r" line endings, ignores comment
// lines (":" prefix), joins multi-line data with "\n", strips one space after the colon.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace llmgw {

struct SseEvent {
  std::string event;  // "" when no event: field was sent
  std::string data;   // data lines joined with "\n"
  std::string id;
};

class SseParser {
 public:
  // The event is only valid during the call.
  using Callback = std::function<void(const SseEvent&)>;

  void feed(std::string_view bytes, const Callback& on_event);
  // Call at end of stream: dispatches a final event that had data but no blank line
  // after it (Gemini ends this way), then resets.
  void finish(const Callback& on_event);

 private:
  void process_line(std::string_view line, const Callback& on_event);
  void dispatch(const Callback& on_event);
  void reset_event();

  std::string m_line;       // current, not yet terminated line
  bool m_after_cr = false;  // last byte seen was '\r' (a following '\n' is eaten)
  SseEvent m_event;         // fields gathered for the event being built
  bool m_has_data = false;  // m_event has seen at least one data: line
};

}  // namespace llmgw
