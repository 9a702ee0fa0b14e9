#include "daemon/answer.hpp"

#include <cstdio>

namespace llmgw::daemon {

nlohmann::json cost_of(const LedgerRow& row) {
  return row.cost_usd ? nlohmann::json(*row.cost_usd) : nlohmann::json();
}

void set_answer_headers(httplib::Response& res, const Route& route, bool cache_hit,
                        const LedgerRow* row) {
  res.set_header("x-llmgw-provider", route.provider.name);
  res.set_header("x-llmgw-model", route.model);
  res.set_header("x-llmgw-cache", cache_hit ? "hit" : "miss");
  if (row == nullptr)
    return;
  res.set_header("x-llmgw-attempts", std::to_string(row->attempts));
  if (row->cost_usd) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9f", *row->cost_usd);
    res.set_header("x-llmgw-cost-usd", text);
  }
}

void add_answer_fields(nlohmann::json& body, const LedgerRow& row, const Route& route) {
  body["cost"] = cost_of(row);
  body["provider"] = route.provider.name;
  body["response_time_ms"] = row.latency_ms.value_or(0);
}

}  // namespace llmgw::daemon
