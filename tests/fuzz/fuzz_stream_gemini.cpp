// libFuzzer target: the gemini stream decoder over a raw upstream body (see fuzz_stream.hpp).
// Also: every event the plain (SAX) reader accepts must read the same through the DOM
// reader (gemini_stream_event.hpp), since the decoder takes whichever applies.
#include "core/http/sse_parser.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/gemini_stream_event.hpp"
#include "fuzz_stream.hpp"

namespace {

void check_event_readers(std::string_view body) {
  using llmgw::gemini::StreamEvent;
  llmgw::SseParser parser;
  const auto check = [](const llmgw::SseEvent& event) {
    const std::string_view data = llmgw::adapter::trim_view(event.data);
    StreamEvent plain;
    if (!llmgw::gemini::read_plain_stream_event(data, plain))
      return;
    const nlohmann::json parsed = llmgw::adapter::parse_json(data);
    if (!parsed.is_object() || parsed.contains("error") || parsed.contains("promptFeedback"))
      llmgw::fuzz::finding("the plain reader accepted an event it must decline");
    StreamEvent dom;
    llmgw::gemini::read_stream_event(parsed, dom);
    if (!(plain == dom))
      llmgw::fuzz::finding("the plain and DOM readers read an event differently");
  };
  parser.feed(body, check);
  parser.finish(check);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 0)
    check_event_readers(llmgw::fuzz::payload(data, size, 1));
  return llmgw::fuzz::fuzz_stream(llmgw::Protocol::gemini, data, size);
}
