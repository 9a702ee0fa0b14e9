// The mock provider's images (see images.hpp): small, valid PNGs whose colour comes from
// a hash of the prompt, so tests and demos get stable answers without a network.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/png.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/embeddings.hpp"
#include "core/providers/images.hpp"

namespace llmgw::images {

namespace {

using nlohmann::json;

// FNV-1a (64 bit): fixed by its definition, unlike std::hash, so a prompt gives the same
// colour on every platform and build.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 0xCBF29CE484222325ULL) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

std::string mock_png(const std::string& prompt, std::size_t index) {
  // The index continues the prompt's hash, so the n images of one answer differ.
  const std::uint64_t hash = fnv1a("#" + std::to_string(index), fnv1a(prompt));
  const char rgb[3] = {static_cast<char>(hash & 0xFF), static_cast<char>((hash >> 8) & 0xFF),
                       static_cast<char>((hash >> 16) & 0xFF)};
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
    const std::string encoded =
        embeddings::base64_encode(mock_png(prompt, static_cast<std::size_t>(i)));
    data.push_back(base64 ? json{{"b64_json", encoded}}
                          : json{{"url", "data:image/png;base64," + encoded}});
  }
  return {{"created", created}, {"data", std::move(data)}};
}

}  // namespace llmgw::images
