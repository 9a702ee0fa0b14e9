// The mock provider's images (see images.hpp): small, valid PNGs whose colour comes from
// a hash of the prompt, so tests and demos get stable answers without a network.
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/png.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/images.hpp"

namespace llmgw::images {

namespace {

using nlohmann::json;

// SHA-256 (OpenSSL) of the prompt, a NUL and the index: fixed by its definition, unlike
// std::hash, so a prompt gives the same colours on every platform and build, and the n
// images of one answer differ.
std::array<unsigned char, EVP_MAX_MD_SIZE> colour_digest(const std::string& prompt,
                                                         std::size_t index) {
  std::string input = prompt;
  input.push_back('\0');
  input.append(std::to_string(index));
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    fail(ErrorKind::internal, "SHA-256 failed while drawing a mock image");
  return digest;
}

std::string mock_png(const std::string& prompt, std::size_t index) {
  const auto digest = colour_digest(prompt, index);
  const char rgb[3] = {static_cast<char>(digest[0]), static_cast<char>(digest[1]),
                       static_cast<char>(digest[2])};
  std::string pixels;
  pixels.reserve(std::size_t{k_mock_image_side} * k_mock_image_side * 3);
  for (std::uint32_t i = 0; i < k_mock_image_side * k_mock_image_side; ++i)
    pixels.append(rgb, 3);
  return png::encode_rgb(k_mock_image_side, k_mock_image_side, pixels);
}

}  // namespace

json mock_images(const json& request, std::int64_t created) {
  validate(request);
  const std::int64_t count = adapter::present(request, "n") ? request["n"].get<std::int64_t>() : 1;
  const bool base64 = request.value("response_format", json()) == "b64_json";
  const std::string& prompt = request["prompt"].get_ref<const std::string&>();
  json data = json::array();
  for (std::int64_t i = 0; i < count; ++i) {
    const std::string encoded = base64_encode(mock_png(prompt, static_cast<std::size_t>(i)));
    data.push_back(base64 ? json{{"b64_json", encoded}}
                          : json{{"url", "data:image/png;base64," + encoded}});
  }
  return {{"created", created}, {"data", std::move(data)}};
}

}  // namespace llmgw::images
