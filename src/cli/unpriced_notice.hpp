// The once-only warning for an answer llmgw could not price: its cost is recorded as
// unknown (NULL), never $0, and the user is told how to add the price.
#pragma once

#include "cli/context.hpp"
#include "core/routing.hpp"
#include "core/store/ledger.hpp"

namespace llmgw::cli {

// Warns on stderr when `row` (just recorded) is an answered request without a cost and
// the database holds no earlier one for the same provider and served model. A database
// that cannot be read says nothing here (the ledger warns about it).
void warn_if_first_unpriced(Context& ctx, const LedgerRow& row, const Route& route);

}  // namespace llmgw::cli
