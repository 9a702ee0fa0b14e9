// What a protocol can carry of a canonical chat request: the round-trip tests' explicit
// list of exceptions to "meaning survives". Each exception is a named function in
// protocol_limits.cpp with the reason it is a limit of the protocol (or a documented
// choice of its adapter) rather than a loss; anything not listed there must survive.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "core/providers/registry.hpp"

namespace llmgw::test {

// The request as `protocol` can carry it: `request` with that protocol's exceptions
// applied, so that meaning(read back) must equal meaning(carried). nullopt when the
// protocol cannot take the request at all and its adapter must refuse it.
// Exceptions compose: carried(B, *carried(A, r)) is what an A → B chain can keep.
std::optional<nlohmann::json> carried(Protocol protocol, const nlohmann::json& request);

}  // namespace llmgw::test
