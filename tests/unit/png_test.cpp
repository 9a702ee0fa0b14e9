#include "core/png.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/base64.hpp"
#include "support/expect_error.hpp"
#include "support/png_reader.hpp"

using namespace llmgw;

TEST_CASE("png::encode_rgb writes a PNG that reads back pixel for pixel", "[png]") {
  // A 3×2 image with a different colour in every pixel, so row order, pixel order and
  // channel order all show.
  std::string rgb;
  for (int i = 0; i < 6; ++i) {
    rgb += static_cast<char>(i * 40);
    rgb += static_cast<char>(255 - i * 40);
    rgb += static_cast<char>(i * 7 + 1);
  }
  const std::string file = png::encode_rgb(3, 2, rgb);
  CHECK(file.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR comes first: length 13, then the type, then width and height big-endian.
  CHECK(file.substr(8, 8) == std::string("\x00\x00\x00\x0dIHDR", 8));
  CHECK(file.substr(16, 8) == std::string("\x00\x00\x00\x03\x00\x00\x00\x02", 8));
  // IEND, with its fixed CRC, ends the file.
  CHECK(file.substr(file.size() - 12) == std::string("\x00\x00\x00\x00IEND\xae\x42\x60\x82", 12));

  test::DecodedPng decoded;
  REQUIRE_NOTHROW(decoded = test::decode_png(file));
  CHECK(decoded.width == 3);
  CHECK(decoded.height == 2);
  CHECK(decoded.chunk_types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
  CHECK(decoded.rgb == rgb);
}

TEST_CASE("png::encode_rgb refuses pixel data that does not fit the size", "[png]") {
  struct Case {
    std::uint32_t width;
    std::uint32_t height;
    std::size_t bytes;
  };
  // Empty sides, too few and too many bytes, a side beyond the encoder's limit.
  for (const Case& c : {Case{0, 1, 0}, Case{1, 0, 0}, Case{2, 2, 11}, Case{2, 2, 13},
                        Case{1U << 15, 1, 3UL << 15}}) {
    INFO(c.width << "x" << c.height << " with " << c.bytes << " bytes");
    const Error e =
        test::error_of([&] { png::encode_rgb(c.width, c.height, std::string(c.bytes, '\x7f')); });
    CHECK(e.kind == ErrorKind::internal);
  }
}

TEST_CASE("the test readers reject what is not base64 or not a PNG", "[png]") {
  CHECK(test::base64_decode("TWFu") == "Man");
  CHECK(test::base64_decode("TWE=") == "Ma");
  CHECK(test::base64_decode("TQ==") == "M");
  CHECK_THROWS(test::base64_decode("TWF"));
  CHECK_THROWS(test::base64_decode("TW!u"));

  std::string file = png::encode_rgb(1, 1, std::string("\x01\x02\x03", 3));
  CHECK_NOTHROW(test::decode_png(file));
  std::string corrupted = file;
  corrupted[file.size() - 20] ^= 0x01;  // inside IDAT: its CRC no longer matches
  CHECK_THROWS_WITH(test::decode_png(corrupted), Catch::Contains("bad CRC"));
  CHECK_THROWS_WITH(test::decode_png(file.substr(1)), Catch::Contains("signature"));
}
