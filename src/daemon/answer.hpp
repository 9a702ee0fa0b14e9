// What every answered request carries, whatever the API it came in by: the x-llmgw-*
// headers, and the JSON extras of OpenAI-shaped answers.
#pragma once

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/ledger_entry.hpp"
#include "core/routing.hpp"

namespace llmgw::daemon {

// x-llmgw-provider, x-llmgw-model, x-llmgw-cache (hit or miss); with the ledger `row`
// (null for a stream, whose headers go before its end) also x-llmgw-attempts and
// x-llmgw-cost-usd (left out when the model has no price).
void set_answer_headers(httplib::Response& res, const Route& route, bool cache_hit,
                        const LedgerRow* row);

// "cost" (USD, null when unpriced), "provider" and "response_time_ms".
void add_answer_fields(nlohmann::json& body, const LedgerRow& row, const Route& route);

nlohmann::json cost_of(const LedgerRow& row);

}  // namespace llmgw::daemon
