#include "core/cost_estimate.hpp"

#include <algorithm>

#include "core/pricing.hpp"

namespace llmgw {

namespace {

using nlohmann::json;

// A non-negative integer field, if the request has one; capped so that products of two
// cannot overflow.
std::optional<std::int64_t> count_field(const json& request, const char* field) {
  const auto it = request.find(field);
  if (it == request.end() || !it->is_number_integer())
    return std::nullopt;
  if (it->is_number_unsigned())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), 1ULL << 30));
  return std::max<std::int64_t>(0, it->get<std::int64_t>());
}

// The prompt's bound: every byte of the request, but images at a fixed count rather than
// their URLs' bytes (a base64 data URL would otherwise reserve dollars for a cent's image).
std::int64_t prompt_token_bound(const json& request) {
  auto bound = static_cast<std::int64_t>(
      request.dump(-1, ' ', false, json::error_handler_t::replace).size());
  const auto messages = request.find("messages");
  if (messages == request.end() || !messages->is_array())
    return bound;
  for (const json& message : *messages) {
    const auto content = message.is_object() ? message.find("content") : message.end();
    if (!message.is_object() || content == message.end() || !content->is_array())
      continue;
    for (const json& part : *content) {
      if (!part.is_object() || part.value("type", "") != "image_url")
        continue;
      // {"image_url": {"url": …}}, or the older bare string form.
      const json& image = part.contains("image_url") ? part.at("image_url") : part;
      const json& url = image.is_object() && image.contains("url") ? image.at("url") : image;
      if (url.is_string())
        bound -= static_cast<std::int64_t>(url.get_ref<const std::string&>().size());
      bound += k_image_prompt_tokens;
    }
  }
  return std::max<std::int64_t>(bound, 0);
}

}  // namespace

std::optional<double> max_chat_cost_usd(const PriceBook& book, const std::string& provider,
                                        const std::string& model, const json& request) {
  if (!request.is_object())
    return std::nullopt;
  const std::int64_t completion_each =
      count_field(request, "max_completion_tokens")
          .value_or(count_field(request, "max_tokens").value_or(k_default_max_completion_tokens));
  const std::int64_t choices = std::max<std::int64_t>(1, count_field(request, "n").value_or(1));
  const json usage = {{"prompt_tokens", prompt_token_bound(request)},
                      {"completion_tokens", completion_each * choices}};
  return cost_usd(book, provider, model, usage);
}

}  // namespace llmgw
