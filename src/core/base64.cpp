#include "core/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace llmgw {

std::string base64_encode(std::string_view bytes) {
  // EVP_EncodeBlock writes 4 characters per 3 bytes, then a NUL.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  const std::string_view body = text.substr(0, text.size() - padding);
  // EVP_DecodeBlock skips leading and trailing whitespace; strict means none at all.
  const bool alphabet_only = std::all_of(body.begin(), body.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
  if (!alphabet_only)
    return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  if (text.empty())
    return out;
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts padding bytes as output; they are not data.
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

}  // namespace llmgw
