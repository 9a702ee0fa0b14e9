#include "core/base64.hpp"

#include <catch2/catch.hpp>

using llmgw::base64_decode;
using llmgw::base64_encode;

TEST_CASE("base64 encoding matches RFC 4648's test vectors", "[base64]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("base64 decoding inverts the encoding, binary bytes included", "[base64]") {
  CHECK(base64_decode("") == std::string());
  CHECK(base64_decode("Zg==") == std::string("f"));
  CHECK(base64_decode("Zm8=") == std::string("fo"));
  CHECK(base64_decode("Zm9vYmFy") == std::string("foobar"));
  CHECK(base64_decode("//4A") == std::string("\xff\xfe\x00", 3));
  std::string every_byte;
  for (int i = 0; i < 256; ++i)
    every_byte += static_cast<char>(i);
  CHECK(base64_decode(base64_encode(every_byte)) == every_byte);
}

TEST_CASE("base64 decoding refuses anything that is not strict base64", "[base64]") {
  CHECK_FALSE(base64_decode("Zg=").has_value());       // length not a multiple of 4
  CHECK_FALSE(base64_decode("Z===").has_value());      // three padding characters
  CHECK_FALSE(base64_decode("Zg==Zg==").has_value());  // padding inside
  CHECK_FALSE(base64_decode(" Zm9v").has_value());     // whitespace OpenSSL would skip
  CHECK_FALSE(base64_decode("Zm9v\n").has_value());
  CHECK_FALSE(base64_decode("Zm-_").has_value());  // the URL-safe alphabet
  CHECK_FALSE(base64_decode("<html>..").has_value());
}
