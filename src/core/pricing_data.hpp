// The price table's JSON text, generated at build time from data/prices.json.
#pragma once

namespace llmgw {
extern const char* const k_prices_json;
}
