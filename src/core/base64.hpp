// Standard base64 (RFC 4648 §4, '=' padding), by OpenSSL's libcrypto (already loaded by
// libcurl, so it costs no start-up time).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

std::string base64_encode(std::string_view bytes);

// The bytes of strict base64: a length that is a multiple of 4, only the alphabet, and
// '=' only as the last one or two characters. std::nullopt for anything else (including
// whitespace), so a damaged payload is refused instead of half decoded.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace llmgw
