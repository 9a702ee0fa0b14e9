// libFuzzer target: request validation, and what it promises the code after it. Input: a
// request body as a client sends it (no control byte). The same JSON is tried as a chat
// request and as an embeddings request:
//   chat:       validate_chat_request; when it passes, what Gateway::prepare does next
//               (model as a string, resolve_model) and every adapter's build_request
//               (stream off and on) and dropped_fields, plus the mock provider;
//   embeddings: embeddings::validate; when it passes, input_texts, build_request per
//               protocol and mock_embeddings.
// A GatewayError is an expected answer anywhere. Findings: a crash, a sanitizer report,
// any other exception (a request that validation let through but the code after it cannot
// handle), an Error that is not UTF-8, and output that is not serialisable JSON.
#include <array>
#include <string>

#include "core/config/config.hpp"
#include "core/providers/chat_protocol.hpp"
#include "core/providers/embeddings.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/routing.hpp"
#include "core/stream_accumulator.hpp"
#include "core/validation.hpp"
#include "fuzz_common.hpp"

namespace {

using llmgw::GatewayError;
using llmgw::Protocol;
using nlohmann::json;
namespace fuzz = llmgw::fuzz;

constexpr std::array k_protocols = {Protocol::openai, Protocol::anthropic, Protocol::gemini,
                                    Protocol::ollama};

// Runs `step`; a GatewayError is an answer (checked, then false), anything else escapes.
template <class Step>
bool answered(Step&& step) {
  try {
    step();
    return true;
  } catch (const GatewayError& e) {
    fuzz::check_error(e.error());
    return false;
  }
}

void check_upstream_body(const llmgw::HttpRequest& request, const char* what) {
  if (!json::accept(request.body))
    fuzz::finding(std::string(what) + " built an upstream body that is not JSON");
}

llmgw::Endpoint endpoint() {
  return {"fuzz", "https://upstream.invalid/v1", "sk-fuzz", llmgw::AuthStyle::bearer, {}};
}

void chat(const json& request) {
  if (!answered([&] { llmgw::validate_chat_request(request); }))
    return;
  std::string model = "gpt-4o-mini";
  if (const auto it = request.find("model"); it != request.end())
    model = it->get<std::string>();  // validation promised a non-empty string
  static const llmgw::Config config{};
  (void)answered([&] { (void)llmgw::resolve_model(model, config); });

  for (const Protocol protocol : k_protocols) {
    const llmgw::ChatProtocol& adapter = *llmgw::chat_protocol(protocol);
    for (const bool stream : {false, true}) {
      (void)answered([&] {
        check_upstream_body(adapter.build_request(request, "m", endpoint(), stream),
                            "chat build_request");
      });
    }
    (void)answered([&] { (void)adapter.dropped_fields(request); });
  }
  (void)answered([&] {
    const json response = llmgw::mock::respond(request, "echo", 1);
    fuzz::check_serialisable(response, "the mock response");
    fuzz::check_serialisable(llmgw::StreamAccumulator::fold(llmgw::mock::stream_chunks(response)),
                             "the folded mock stream");
  });
}

void embeddings(const json& request) {
  namespace emb = llmgw::embeddings;
  if (!answered([&] { emb::validate(request); }))
    return;
  for (const Protocol protocol : k_protocols) {
    (void)answered([&] { (void)emb::input_texts(protocol, request); });
    (void)answered([&] {
      check_upstream_body(emb::build_request(protocol, request, "m", endpoint()),
                          "embeddings build_request");
    });
  }
  (void)answered([&] {
    fuzz::check_serialisable(emb::mock_embeddings(request, "mock"), "the mock embeddings");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json request = json::parse(fuzz::payload(data, size, 0), nullptr, false);
  if (request.is_discarded())
    return 0;
  chat(request);
  embeddings(request);
  return 0;
}
