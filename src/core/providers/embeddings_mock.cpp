// The mock provider's embeddings (see embeddings.hpp): deterministic vectors from a hash
// of each input's text, so tests and demos get stable answers without a network.
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/providers/adapter_util.hpp"
#include "core/providers/embeddings.hpp"

#include <algorithm>

namespace llmgw::embeddings {

namespace {

using nlohmann::json;

[[noreturn]] void reject(const std::string& param, const std::string& message) {
  Error error = make_error(ErrorKind::invalid_request, message);
  error.param = param;
  throw GatewayError(std::move(error));
}

// SplitMix64: a tiny, well-mixed generator so that one std::hash seed gives as many
// independent-looking values as the dimensions ask for.
std::uint64_t split_mix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<double> mock_vector(const std::string& text, std::size_t dimensions) {
  std::uint64_t state = std::hash<std::string>{}(text);
  std::vector<double> values(dimensions);
  double norm = 0;
  for (auto& value : values) {
    // The top 53 bits as a double in [0, 1), then mapped to [-1, 1].
    value = static_cast<double>(split_mix(state) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
    norm += value * value;
  }
  if (norm == 0) {  // all zeros: not normalisable, so a unit vector stands in
    values[0] = 1;
    return values;
  }
  const double length = std::sqrt(norm);
  for (auto& value : values)
    value /= length;
  return values;
}

// Characters (UTF-8 code points), not bytes, as the mock chat provider counts them.
std::size_t char_count(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++count;
  }
  return count;
}

}  // namespace

std::size_t estimated_tokens(const std::vector<std::string>& texts) {
  std::size_t tokens = 0;
  for (const auto& text : texts)
    tokens += (char_count(text) + 3) / 4;
  return std::max<std::size_t>(tokens, 1);
}

json mock_embeddings(const json& request, const std::string& model) {
  const std::vector<std::string> texts = input_texts(Protocol::mock, request);
  std::size_t dimensions = k_mock_default_dimensions;
  if (adapter::present(request, "dimensions")) {
    const std::uint64_t asked = request["dimensions"].get<std::uint64_t>();
    if (asked > k_mock_max_dimensions) {
      reject("dimensions", "the mock provider makes at most " +
                               std::to_string(k_mock_max_dimensions) + " dimensions, got " +
                               std::to_string(asked));
    }
    dimensions = static_cast<std::size_t>(asked);
  }
  const bool base64 = request.value("encoding_format", json()) == "base64";
  json data = json::array();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::vector<double> values = mock_vector(texts[i], dimensions);
    json embedding = base64 ? json(encode_float32_base64(values)) : json(values);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  const std::size_t tokens = estimated_tokens(texts);
  return {{"object", "list"},
          {"model", model},
          {"data", std::move(data)},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

}  // namespace llmgw::embeddings
