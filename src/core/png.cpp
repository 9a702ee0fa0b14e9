#include "core/png.hpp"

#include <zlib.h>

#include "core/error.hpp"

namespace llmgw::png {

namespace {

constexpr std::string_view k_signature = "\x89PNG\r\n\x1a\n";
constexpr std::uint32_t k_max_side = 1U << 14;  // keeps width × height × 3 far from overflow

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xFF);
}

std::uint32_t crc_of(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
  return static_cast<std::uint32_t>(crc);
}

// length, type, data, then the CRC of type and data (PNG §5.3).
void put_chunk(std::string& out, std::string_view type, std::string_view data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  std::string typed(type);
  typed += data;
  out += typed;
  put_u32(out, crc_of(typed));
}

std::string deflate(const std::string& raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(size, '\0');
  const int status = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                               reinterpret_cast<const Bytef*>(raw.data()),
                               static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION);
  if (status != Z_OK)
    fail(ErrorKind::internal,
         "zlib could not compress a PNG (status " + std::to_string(status) + ")");
  out.resize(size);
  return out;
}

}  // namespace

std::string encode_rgb(std::uint32_t width, std::uint32_t height, std::string_view rgb) {
  if (width == 0 || height == 0 || width > k_max_side || height > k_max_side ||
      rgb.size() != std::size_t{width} * height * 3) {
    fail(ErrorKind::internal, "png::encode_rgb: " + std::to_string(rgb.size()) +
                                  " bytes do not make a " + std::to_string(width) + "x" +
                                  std::to_string(height) + " RGB image");
  }
  std::string header;
  put_u32(header, width);
  put_u32(header, height);
  header += '\x08';  // bit depth
  header += '\x02';  // colour type: truecolour
  header += '\x00';  // compression method: deflate
  header += '\x00';  // filter method: adaptive
  header += '\x00';  // interlace: none

  // Every scanline starts with its filter type; 0 (None) keeps the encoder trivial.
  const std::size_t row_bytes = std::size_t{width} * 3;
  std::string scanlines;
  scanlines.reserve((row_bytes + 1) * height);
  for (std::uint32_t y = 0; y < height; ++y) {
    scanlines += '\x00';
    scanlines += rgb.substr(y * row_bytes, row_bytes);
  }

  std::string out(k_signature);
  put_chunk(out, "IHDR", header);
  put_chunk(out, "IDAT", deflate(scanlines));
  put_chunk(out, "IEND", {});
  return out;
}

}  // namespace llmgw::png
