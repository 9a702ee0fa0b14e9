// Unpredictable text from OpenSSL's CSPRNG (RAND_bytes), for client key ids and secrets.
#pragma once

#include <cstddef>
#include <string>

namespace llmgw {

// `bytes` random bytes as lower-case hex (2 × bytes characters). Throws
// GatewayError{internal} when the generator cannot be seeded, rather than return
// anything guessable.
std::string random_hex(std::size_t bytes);

}  // namespace llmgw
