// libFuzzer target: whole (non-stream) upstream answers, which are as untrusted as streams.
// Input: two control bytes, optional header lines, then the body.
//   byte 0  bits 0-1  protocol: openai, anthropic, gemini, ollama
//           bit 2     embeddings instead of chat
//           bit 3     header lines follow: retry-after, retry-after-ms, date,
//                     x-should-retry, one per line ("\n"-terminated; empty = absent)
//           bits 4-7  HTTP status (k_statuses); 2xx is parsed, anything else mapped to an
//                     Error by map_error
//   byte 1  the embeddings request answered: bits 0-1 input count - 1, bit 2 base64
// A GatewayError is an expected answer. Findings: a crash, a sanitizer report, another
// exception, an answer that is not serialisable JSON, an Error that is not UTF-8 or has an
// impossible status or retry_after.
#include <array>
#include <string>

#include "core/providers/chat_protocol.hpp"
#include "core/providers/embeddings.hpp"
#include "fuzz_common.hpp"

namespace {

using llmgw::GatewayError;
using llmgw::Protocol;
using nlohmann::json;
namespace fuzz = llmgw::fuzz;

constexpr std::array k_protocols = {Protocol::openai, Protocol::anthropic, Protocol::gemini,
                                    Protocol::ollama};
constexpr std::array k_statuses = {200, 201, 400, 401, 402, 403, 404, 408,
                                   413, 429, 500, 502, 503, 504, 529, 299};
constexpr std::array k_header_names = {"retry-after", "retry-after-ms", "date", "x-should-retry"};

// Takes the header lines off the front of `text` into `headers`.
void take_headers(std::string_view& text, llmgw::Headers& headers) {
  for (const char* name : k_header_names) {
    const std::size_t newline = text.find('\n');
    const std::string_view value = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!value.empty())
      headers.emplace_back(name, std::string(value));
  }
}

json embeddings_request(std::uint8_t control) {
  json input = json::array();
  for (int i = 0; i <= (control & 3); ++i)
    input.push_back("text " + std::to_string(i));
  json request = {{"model", "m"}, {"input", input}};
  if ((control & 4) != 0)
    request["encoding_format"] = "base64";
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const Protocol protocol = k_protocols[data[0] & 3];
  const bool embeddings = (data[0] & 4) != 0;
  llmgw::HttpResponse response;
  response.status = k_statuses[data[0] >> 4];
  std::string_view text = fuzz::payload(data, size, 2);
  if ((data[0] & 8) != 0)
    take_headers(text, response.headers);
  response.body = text;
  const bool success = response.status >= 200 && response.status < 300;

  try {
    if (embeddings && success) {
      fuzz::check_serialisable(llmgw::embeddings::parse_response(
                                   protocol, response, embeddings_request(data[1]), "m", "fuzz"),
                               "the embeddings answer");
    } else if (embeddings) {
      fuzz::check_error(llmgw::embeddings::map_error(protocol, response, "fuzz"));
    } else if (success) {
      const auto& adapter = *llmgw::chat_protocol(protocol);
      fuzz::check_serialisable(adapter.parse_response(response, {"fuzz", "m", 1'700'000'000}),
                               "the chat answer");
    } else {
      fuzz::check_error(llmgw::chat_protocol(protocol)->map_error(response, "fuzz"));
    }
  } catch (const GatewayError& e) {
    fuzz::check_error(e.error());
  }
  return 0;
}
