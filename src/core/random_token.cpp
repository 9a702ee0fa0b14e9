#include "core/random_token.hpp"

#include <openssl/rand.h>

#include <climits>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/sha256.hpp"

namespace llmgw {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (bytes > INT_MAX || RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1)
    fail(ErrorKind::internal, "the system's random number generator failed",
         "check that /dev/urandom is readable, then try again");
  return hex_text(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
}

}  // namespace llmgw
