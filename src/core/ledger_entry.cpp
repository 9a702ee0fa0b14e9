#include "core/ledger_entry.hpp"

#include <algorithm>

#include "core/pricing.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw {

namespace {

std::int64_t count(const nlohmann::json& object, const char* key) {
  return adapter::token_count(object, key).value_or(0);
}

LedgerRow base_row(const RequestFacts& facts, const PriceBook& prices) {
  LedgerRow row;
  row.ts_ms = facts.timing.started_ms;
  row.source = facts.source;
  row.client_key = facts.client_key;
  row.endpoint = facts.endpoint;
  if (!facts.model_requested.empty())
    row.model_requested = facts.model_requested;
  row.request_hash = facts.request_hash;
  row.latency_ms = facts.timing.latency_ms;
  row.ttft_ms = facts.timing.ttft_ms;
  row.price_version = prices.version();
  return row;
}

LedgerRow answered_row(const RequestFacts& facts, const Answered& answer, const PriceBook& prices) {
  LedgerRow row = base_row(facts, prices);
  row.status = "ok";
  row.attempts = answer.attempts;
  if (answer.route != nullptr) {
    row.provider = answer.route->provider.name;
    row.model_served = answer.route->model;
  }
  if (answer.response != nullptr) {
    const std::string served = adapter::string_field(*answer.response, "model");
    if (!served.empty())
      row.model_served = served;
  }
  return row;
}

const nlohmann::json& usage_of(const Answered& answer) {
  static const nlohmann::json k_null;
  return answer.response == nullptr ? k_null : adapter::member_or_null(*answer.response, "usage");
}

// Tokens of a chat usage into `row`.
void add_chat_tokens(LedgerRow& row, const nlohmann::json& usage) {
  row.input_tokens = count(usage, "prompt_tokens");
  row.output_tokens = count(usage, "completion_tokens");
  const nlohmann::json& prompt = adapter::member_or_null(usage, "prompt_tokens_details");
  row.cached_input_tokens = count(prompt, "cached_tokens");
  row.cache_write_tokens = count(prompt, "cache_write_tokens");
  row.reasoning_tokens =
      count(adapter::member_or_null(usage, "completion_tokens_details"), "reasoning_tokens");
}

std::optional<double> chat_total(const Answered& answer, const nlohmann::json& usage,
                                 const PriceBook& prices) {
  if (answer.route == nullptr || !usage.is_object())
    return std::nullopt;
  const auto cost = chat_cost(prices, answer.route->provider.name, answer.route->model, usage);
  return cost ? std::optional<double>(cost->total_usd) : std::nullopt;
}

}  // namespace

LedgerRow failed_row(const RequestFacts& facts, const Error& error, const PriceBook& prices) {
  LedgerRow row = base_row(facts, prices);
  row.status = error.kind == ErrorKind::cancelled ? "cancelled" : "error";
  row.error_type = error.type.empty() ? std::string(to_string(error.kind)) : error.type;
  row.attempts = std::max(error.attempts, 0);
  if (!error.provider.empty())
    row.provider = error.provider;
  return row;
}

LedgerRow chat_row(const RequestFacts& facts, const Answered& answer, const PriceBook& prices) {
  LedgerRow row = answered_row(facts, answer, prices);
  const nlohmann::json& usage = usage_of(answer);
  if (usage.is_object()) {
    add_chat_tokens(row, usage);
    row.cost_usd = chat_total(answer, usage, prices);
  }
  return row;
}

LedgerRow cache_hit_row(const RequestFacts& facts, const Answered& answer,
                        const PriceBook& prices) {
  LedgerRow row = answered_row(facts, answer, prices);
  row.attempts = 0;
  row.cache_hit = true;
  row.cost_usd = 0.0;
  row.saved_usd = chat_total(answer, usage_of(answer), prices);
  return row;
}

LedgerRow embed_row(const RequestFacts& facts, const Answered& answer, const PriceBook& prices) {
  LedgerRow row = answered_row(facts, answer, prices);
  const nlohmann::json& usage = usage_of(answer);
  if (usage.is_object() && answer.route != nullptr) {
    row.input_tokens =
        adapter::token_count(usage, "prompt_tokens").value_or(count(usage, "total_tokens"));
    if (const auto cost =
            embedding_cost(prices, answer.route->provider.name, answer.route->model, usage))
      row.cost_usd = cost->total_usd;
  }
  return row;
}

LedgerRow image_row(const RequestFacts& facts, const Answered& answer,
                    const nlohmann::json& request, const PriceBook& prices) {
  LedgerRow row = answered_row(facts, answer, prices);
  if (answer.route == nullptr || answer.response == nullptr)
    return row;
  const nlohmann::json& data = adapter::member_or_null(*answer.response, "data");
  const long long drawn = data.is_array() ? static_cast<long long>(data.size()) : 0;
  if (const auto cost = image_cost(prices, answer.route->provider.name, answer.route->model,
                                   adapter::string_field(request, "size"),
                                   adapter::string_field(request, "quality"), drawn))
    row.cost_usd = cost->total_usd;
  return row;
}

}  // namespace llmgw
