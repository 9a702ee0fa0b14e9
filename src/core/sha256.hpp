// SHA-256 through OpenSSL's libcrypto, as lower-case hex. For fingerprints of secrets
// (a key's identity in state files without the key itself) and client key hashes.
#pragma once

#include <string>
#include <string_view>

namespace llmgw {

std::string sha256_hex(std::string_view data);

// Lower-case hex of raw bytes: the form of every digest and random token llmgw writes.
std::string hex_text(std::string_view bytes);

}  // namespace llmgw
