// libFuzzer target: the gemini stream decoder over a raw upstream body (see fuzz_stream.hpp).
#include "fuzz_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return llmgw::fuzz::fuzz_stream(llmgw::Protocol::gemini, data, size);
}
