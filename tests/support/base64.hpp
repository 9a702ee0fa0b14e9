// Base64 decoding for tests, straight from OpenSSL's EVP_DecodeBlock rather than through
// llmgw's own wrapper, so that a round trip checks llmgw's encoding against the library.
#pragma once

#include <openssl/evp.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace llmgw::test {

// Strict RFC 4648 §4 base64: length a multiple of 4, '=' only as the last one or two.
// Throws std::runtime_error for anything else.
inline std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    throw std::runtime_error("base64 length " + std::to_string(text.size()) + " is not 4k");
  const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  if (text.substr(0, text.size() - padding).find('=') != std::string_view::npos)
    throw std::runtime_error("base64 padding inside the text");
  std::string out(text.size() / 4 * 3, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0)
    throw std::runtime_error("not base64");
  // EVP_DecodeBlock counts padding bytes as output; they are not data.
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

}  // namespace llmgw::test
