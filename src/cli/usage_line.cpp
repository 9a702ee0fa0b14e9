#include "cli/usage_line.hpp"

#include "cli/money_text.hpp"
#include "core/pricing.hpp"

namespace llmgw::cli {

namespace {

long count(const nlohmann::json& object, const char* field) {
  const auto it = object.find(field);
  return it != object.end() && it->is_number_integer() ? it->get<long>() : 0;
}

}  // namespace

std::string format_usage_line(const ChatResult& result, const PriceBook& prices) {
  const std::string where = result.route.provider.name + "/" + result.route.model;
  const auto usage = result.response.find("usage");
  if (usage == result.response.end() || !usage->is_object()) {
    return "usage: not reported by " + result.route.provider.name + " · " + where;
  }
  std::string line = "usage: " + std::to_string(count(*usage, "prompt_tokens")) + " input + " +
                     std::to_string(count(*usage, "completion_tokens")) +
                     " output = " + std::to_string(count(*usage, "total_tokens")) + " tokens";
  const auto prompt_details = usage->value("prompt_tokens_details", nlohmann::json::object());
  const long cached = count(prompt_details, "cached_tokens");
  const long cache_writes = count(prompt_details, "cache_write_tokens");
  const long reasoning = count(usage->value("completion_tokens_details", nlohmann::json::object()),
                               "reasoning_tokens");
  if (cached > 0)
    line += " (" + std::to_string(cached) + " cached)";
  if (cache_writes > 0)
    line += " (" + std::to_string(cache_writes) + " cache write)";
  if (reasoning > 0)
    line += " (" + std::to_string(reasoning) + " reasoning)";
  line += " · " + where + " · ";
  const auto cost = cost_usd(prices, result.route.provider.name, result.route.model, *usage);
  if (result.cache_hit) {
    line += "from the response cache: cost $0";
    if (cost)
      line += " (saved " + usd_text(*cost) + ")";
  } else if (cost) {
    line += "cost " + usd_text(*cost);
  } else {
    line +=
        "cost unknown (no price for " + where + "; add [prices.\"" + where + "\"] to config.toml)";
  }
  return line;
}

}  // namespace llmgw::cli
