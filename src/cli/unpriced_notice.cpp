#include "cli/unpriced_notice.hpp"

#include <filesystem>

#include "cli/report.hpp"
#include "core/error.hpp"
#include "core/store/migrations.hpp"

namespace llmgw::cli {

void warn_if_first_unpriced(Context& ctx, const LedgerRow& row, const Route& route) {
  if (row.status != "ok" || row.cost_usd || row.cache_hit || !row.provider || !row.model_served)
    return;
  try {
    const std::filesystem::path& file = ctx.config().paths.db_file;
    if (std::filesystem::exists(file)) {
      Database db = open_migrated(file);
      if (has_unpriced_answer(db, *row.provider, *row.model_served, row.ts_ms))
        return;
    }
  } catch (const GatewayError&) {
    return;
  }
  const std::string name = route.provider.name + "/" + route.model;
  print_warning(ctx.io(), "llmgw has no price for " + name +
                              ", so its cost is recorded as unknown (this is said once per "
                              "model); add [prices.\"" +
                              name + "\"] with input and output per 1M tokens to config.toml");
}

}  // namespace llmgw::cli
