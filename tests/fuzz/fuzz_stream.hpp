// The body of every stream-decoder target: an upstream streamed body, as the Gateway's
// chat_stream() would receive it, goes through the protocol's decoder into a
// StreamAccumulator. Input: one control byte (how the body is cut, see feed_in_pieces),
// then the raw body bytes.
//
// Findings beyond crashes and sanitizer reports: a chunk or the folded answer that cannot
// be serialised, an Error that is not UTF-8, and an outcome (chunks, completeness, error)
// that depends on where the body was cut — the decoders promise "any split".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/providers/chat_protocol.hpp"
#include "core/stream_accumulator.hpp"
#include "fuzz_common.hpp"

namespace llmgw::fuzz {

struct StreamOutcome {
  std::vector<nlohmann::json> chunks;
  bool complete = false;
  std::optional<std::string> error;  // kind and message of a GatewayError
  bool operator==(const StreamOutcome&) const = default;
};

inline StreamOutcome decode_stream(Protocol protocol, std::string_view body, std::uint8_t cut) {
  const auto decoder = chat_protocol(protocol)->make_decoder({"fuzz", "fuzz-model", 1'700'000'000});
  StreamOutcome outcome;
  StreamAccumulator accumulator;
  const ChunkEmit emit = [&](const nlohmann::json& chunk) {
    check_serialisable(chunk, "a stream chunk");
    accumulator.add(chunk);
    outcome.chunks.push_back(chunk);
  };
  try {
    feed_in_pieces(body, cut, [&](std::string_view piece) { decoder->feed(piece, emit); });
    outcome.complete = decoder->finish(emit);
  } catch (const GatewayError& e) {
    check_error(e.error());
    outcome.error = std::string(to_string(e.error().kind)) + ": " + e.error().message;
  }
  check_serialisable(accumulator.response(), "the accumulated response");
  return outcome;
}

inline int fuzz_stream(Protocol protocol, const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string_view body = payload(data, size, 1);
  const StreamOutcome split = decode_stream(protocol, body, data[0]);
  if (data[0] != 0 && !(split == decode_stream(protocol, body, 0)))
    finding("the outcome depends on where the body was cut");
  return 0;
}

}  // namespace llmgw::fuzz
