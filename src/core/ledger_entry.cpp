#include "core/ledger_entry.hpp"

#include "core/pricing.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw {

namespace {

std::int64_t count(const nlohmann::json& object, const char* key) {
  return adapter::token_count(object, key).value_or(0);
}

}  // namespace

LedgerRow chat_ledger_row(const std::string& source, const std::string& model_requested,
                          const ChatResult* result, const Error* error, const PriceBook& prices,
                          const RequestTiming& timing) {
  LedgerRow row;
  row.ts_ms = timing.started_ms;
  row.source = source;
  row.endpoint = "chat";
  row.model_requested = model_requested;
  row.latency_ms = timing.latency_ms;
  row.ttft_ms = timing.ttft_ms;
  row.price_version = prices.version();
  if (error != nullptr) {
    row.status = error->kind == ErrorKind::cancelled ? "cancelled" : "error";
    row.error_type = error->type.empty() ? std::string(to_string(error->kind)) : error->type;
    row.attempts = std::max(error->attempts, 1);
    if (!error->provider.empty())
      row.provider = error->provider;
    return row;
  }
  if (result == nullptr)
    return row;
  row.status = "ok";
  row.attempts = std::max(static_cast<int>(result->attempts.size()), 1);
  row.provider = result->route.provider.name;
  const std::string served = adapter::string_field(result->response, "model");
  row.model_served = served.empty() ? result->route.model : served;
  const nlohmann::json& usage = adapter::member_or_null(result->response, "usage");
  if (usage.is_object()) {
    row.input_tokens = count(usage, "prompt_tokens");
    row.output_tokens = count(usage, "completion_tokens");
    const nlohmann::json& prompt = adapter::member_or_null(usage, "prompt_tokens_details");
    row.cached_input_tokens = count(prompt, "cached_tokens");
    row.cache_write_tokens = count(prompt, "cache_write_tokens");
    row.reasoning_tokens =
        count(adapter::member_or_null(usage, "completion_tokens_details"), "reasoning_tokens");
    if (const auto cost =
            chat_cost(prices, result->route.provider.name, result->route.model, usage))
      row.cost_usd = cost->total_usd;
  }
  return row;
}

}  // namespace llmgw
