// `llmgw usage` output: an aligned table, JSON or CSV of a UsageReport. Money is USD:
// 6 decimals in the table (with $) and CSV, to a billionth in JSON. Costs are the sums of
// known costs; requests without a known price are counted apart ("unpriced"), never $0:
// a table line with only unpriced answers shows its cost as "-".
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/store/usage_report.hpp"

namespace llmgw::cli {

// Heading, one line per group (or none), then the total; time bounds in local time.
std::string usage_table(const UsageReport& report);

// {"since","until" (UTC ISO 8601),"group","lines":[{"label",...}],"total":{...}}
nlohmann::json usage_json(const UsageReport& report);

// A header line, then one line per group; with no grouping, one "total" line.
std::string usage_csv(const UsageReport& report);

}  // namespace llmgw::cli
