// Reads back a PNG the way a client would, to check what llmgw's encoder must get right:
// the signature, chunk framing and every CRC (zlib's crc32, checked against the published
// check value in png_test.cpp),
// IHDR, and the zlib stream in IDAT. PNG support is the subset llmgw writes: 8-bit truecolour, no
// interlace, every scanline with filter type 0 (None). decode_png throws std::runtime_error saying
// what is wrong, so a test can REQUIRE_NOTHROW it and see why it failed.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::test {

struct DecodedPng {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::string> chunk_types;  // in file order, e.g. IHDR, IDAT, IEND
  std::string rgb;                       // width × height × 3 bytes, row by row
};

inline DecodedPng decode_png(std::string_view file) {
  const auto u32 = [&](std::size_t at) {
    if (at + 4 > file.size())
      throw std::runtime_error("PNG truncated at byte " + std::to_string(at));
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
      value = (value << 8) | static_cast<unsigned char>(file[at + i]);
    return value;
  };
  if (file.substr(0, 8) != std::string_view("\x89PNG\r\n\x1a\n", 8))
    throw std::runtime_error("no PNG signature");
  DecodedPng png;
  std::string compressed;
  std::string header;
  for (std::size_t at = 8; at < file.size();) {
    const std::uint32_t length = u32(at);
    if (at + 12 + length > file.size())
      throw std::runtime_error("chunk at byte " + std::to_string(at) + " overruns the file");
    const std::string_view typed = file.substr(at + 4, 4 + length);
    const std::string type(typed.substr(0, 4));
    if (u32(at + 8 + length) !=
        static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(typed.data()),
                                         static_cast<uInt>(typed.size()))))
      throw std::runtime_error("bad CRC in chunk " + type);
    png.chunk_types.push_back(type);
    if (type == "IHDR")
      header = std::string(typed.substr(4));
    else if (type == "IDAT")
      compressed += typed.substr(4);
    at += 12 + length;
  }
  if (png.chunk_types.empty() || png.chunk_types.front() != "IHDR" ||
      png.chunk_types.back() != "IEND" || header.size() != 13) {
    throw std::runtime_error("PNG does not start with a 13-byte IHDR and end with IEND");
  }
  png.width = u32(16);
  png.height = u32(20);
  if (header.substr(8) != std::string("\x08\x02\x00\x00\x00", 5))
    throw std::runtime_error("not 8-bit truecolour, deflate, no interlace");
  const std::size_t row = std::size_t{png.width} * 3 + 1;
  std::string raw(row * png.height, '\0');
  uLongf size = static_cast<uLongf>(raw.size());
  if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &size,
                 reinterpret_cast<const Bytef*>(compressed.data()),
                 static_cast<uLong>(compressed.size())) != Z_OK ||
      size != raw.size()) {
    throw std::runtime_error("IDAT is not a zlib stream of " + std::to_string(raw.size()) +
                             " bytes");
  }
  for (std::size_t y = 0; y < png.height; ++y) {
    if (raw[y * row] != '\0')
      throw std::runtime_error("scanline " + std::to_string(y) + " has a filter other than None");
    png.rgb += raw.substr(y * row + 1, row - 1);
  }
  return png;
}

}  // namespace llmgw::test
