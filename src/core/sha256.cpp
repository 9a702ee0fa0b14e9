#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <array>

#include "core/error.hpp"

namespace llmgw {

std::string sha256_hex(std::string_view data) {
  // Fetched once: OpenSSL 3 looks EVP_sha256() up in its provider store (under a global
  // lock) on every digest otherwise, which every daemon request would pay.
  static EVP_MD* const k_sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (k_sha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), digest.data(), &size, k_sha256, nullptr) != 1)
    fail(ErrorKind::internal, "SHA-256 failed");
  return hex_text(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

std::string hex_text(std::string_view bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(k_hex[byte >> 4]);
    out.push_back(k_hex[byte & 0x0f]);
  }
  return out;
}

}  // namespace llmgw
