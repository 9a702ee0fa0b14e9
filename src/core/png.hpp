// A minimal PNG encoder (RFC 2083 / ISO 15948) for the mock provider's images: truecolour,
// 8 bits per channel, no interlace, one IDAT chunk compressed with zlib.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmgw::png {

// The PNG file for a `width`×`height` image whose pixels are given row by row, 3 bytes
// (R, G, B) each: `rgb` must hold exactly width × height × 3 bytes and both sides must be
// at least 1. Throws GatewayError{internal} otherwise, or if zlib fails.
std::string encode_rgb(std::uint32_t width, std::uint32_t height, std::string_view rgb);

}  // namespace llmgw::png
