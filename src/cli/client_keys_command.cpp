// `llmgw keys create|revoke` and `llmgw keys list --clients`: the client keys apps present
// to `llmgw serve` (core/store/client_keys.hpp), in the database every command uses.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/report.hpp"
#include "cli/text_table.hpp"
#include "core/client_limits.hpp"
#include "core/error.hpp"
#include "core/store/client_keys.hpp"
#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "core/time_text.hpp"
#include "core/usage_span.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_create_footer =
    R"(Makes a key for an app that talks to `llmgw serve`, and prints it once on stdout:
only its SHA-256 is stored, so it can never be shown again. Every limit is optional.
  --budget USD            what the key may spend per --budget-period (default month);
                          a request is refused (429 insufficient_quota) when what was
                          spent, what running requests may still cost and the most this
                          one can cost would pass it
  --budget-period P       day or month (local time), or total (since the key was made)
  --rpm N, --tpm N        requests and tokens per minute (429 with Retry-After)
  --models a,b            the only models it may ask for (403 otherwise); an entry
                          ending in * is a prefix: openai/*
  --expires WHEN          a span from now (12h, 30d, 2w), a date (the key works through
                          that day) or a date and local time (2026-12-31T18:00)

Examples:
  KEY=$(llmgw keys create my-app)
  llmgw keys create ci --budget 5 --budget-period day --rpm 60
  llmgw keys create demo --models gpt-4o-mini,mock/echo --expires 30d
  llmgw keys list --clients
  llmgw keys revoke demo)";

constexpr const char* k_revoke_footer =
    R"(A revoked key is refused from then on (a running llmgw serve notices within a
second). It stays in `llmgw keys list --clients` and its spend stays in the ledger; its
name can be given to a new key.

Examples:
  llmgw keys revoke my-app
  llmgw keys revoke my-app && KEY=$(llmgw keys create my-app --budget 10))";

struct CreateOptions {
  std::string name;
  std::optional<std::string> budget;
  std::optional<std::string> budget_period;
  std::optional<std::string> rpm;
  std::optional<std::string> tpm;
  std::optional<std::string> models;
  std::optional<std::string> expires;
};

double parse_budget(const std::string& given) {
  const std::string text = !given.empty() && given.front() == '$' ? given.substr(1) : given;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !(value >= 0) || value > 1e9)
    fail(ErrorKind::usage, "--budget '" + given + "' is not an amount of USD",
         "give a number of dollars, 0 or more, such as --budget 5 or --budget 12.50");
  return value;
}

std::int64_t parse_per_minute(const std::string& text, const char* flag, const char* unit) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value <= 0)
    fail(ErrorKind::usage,
         std::string(flag) + " '" + text + "' is not a whole number of " + unit + " per minute",
         "give a whole number, 1 or more, such as " + std::string(flag) +
             " 60, or leave it out "
             "for no limit");
  return value;
}

std::vector<std::string> parse_models(const std::string& text) {
  std::vector<std::string> models;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    std::string model = text.substr(start, comma == std::string::npos ? comma : comma - start);
    model.erase(0, model.find_first_not_of(" \t"));
    model.erase(model.find_last_not_of(" \t") + 1);
    if (model.empty())
      fail(ErrorKind::usage, "--models '" + text + "' has an empty model name",
           "give model names separated by commas, e.g. --models gpt-4o,anthropic/*");
    models.push_back(std::move(model));
    if (comma == std::string::npos)
      return models;
    start = comma + 1;
  }
}

ClientKeySpec make_spec(const CreateOptions& opts, std::int64_t now_ms) {
  ClientKeySpec spec;
  spec.name = opts.name;
  check_client_key_name(spec.name);
  if (opts.budget)
    spec.budget_usd = parse_budget(*opts.budget);
  if (opts.budget_period) {
    const auto period = parse_budget_period(*opts.budget_period);
    if (!period)
      fail(ErrorKind::usage, "--budget-period '" + *opts.budget_period + "' is not a period",
           "use day, month or total");
    if (!opts.budget)
      fail(ErrorKind::usage, "--budget-period needs a --budget",
           "add the amount, e.g. --budget 5 --budget-period " + *opts.budget_period);
    spec.budget_period = *period;
  }
  if (opts.rpm)
    spec.rpm = parse_per_minute(*opts.rpm, "--rpm", "requests");
  if (opts.tpm)
    spec.tpm = parse_per_minute(*opts.tpm, "--tpm", "tokens");
  if (opts.models)
    spec.models = parse_models(*opts.models);
  if (opts.expires)
    spec.expires_ms = parse_expiry(*opts.expires, now_ms);
  return spec;
}

int run_create(Context& ctx, const CreateOptions& opts) {
  const std::int64_t now_ms = ctx.clock().unix_milliseconds();
  const ClientKeySpec spec = make_spec(opts, now_ms);
  Database db = open_migrated(ctx.config().paths.db_file);
  const CreatedClientKey created = create_client_key(db, spec, now_ms);
  Io& io = ctx.io();
  io.out << created.text << '\n';
  io.out.flush();
  io.err << "llmgw: created the client key '" << created.key.name << "' ("
         << key_hint(created.key.id) << ") in " << db.path().string() << '\n';
  print_note(io, "the key is shown only this once; store it now (llmgw keeps only its hash)");
  return 0;
}

int run_revoke(Context& ctx, const std::string& name) {
  check_client_key_name(name);
  const std::filesystem::path& file = ctx.config().paths.db_file;
  bool revoked = false;
  if (std::filesystem::exists(file)) {
    Database db = open_migrated(file);
    revoked = revoke_client_key(db, name, ctx.clock().unix_milliseconds());
  }
  if (!revoked)
    fail(ErrorKind::usage, "there is no client key named '" + name + "' that is not revoked",
         "`llmgw keys list --clients` lists the client keys");
  ctx.io().err << "llmgw: revoked the client key '" << name << "'\n";
  return 0;
}

struct ListedKey {
  ClientKey key;
  BudgetWindow window;
  double spent_usd = 0;
};

std::vector<ListedKey> read_keys(const std::filesystem::path& file, std::int64_t now_ms) {
  std::vector<ListedKey> listed;
  if (!std::filesystem::exists(file))
    return listed;
  Database db = Database::open(file, OpenMode::existing);  // only reads: never migrates
  if (!db.table_exists("client_keys"))
    return listed;
  for (ClientKey& key : list_client_keys(db)) {
    const BudgetWindow window = budget_window(key, now_ms);
    const double spent = client_spend_usd(db, key.name, window.start_ms);
    listed.push_back({std::move(key), window, spent});
  }
  return listed;
}

nlohmann::json or_null(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json time_or_null(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(utc_iso_text(*ms)) : nlohmann::json(nullptr);
}

nlohmann::json keys_json(const std::vector<ListedKey>& keys, std::int64_t now_ms) {
  nlohmann::json out = nlohmann::json::array();
  for (const ListedKey& listed : keys) {
    const ClientKey& key = listed.key;
    out.push_back({{"name", key.name},
                   {"id", key.id},
                   {"key", key_hint(key.id)},
                   {"created", utc_iso_text(key.created_ms)},
                   {"budget_usd", key.budget_usd ? nlohmann::json(*key.budget_usd) : nullptr},
                   {"budget_period", to_string(key.budget_period)},
                   {"period_start", utc_iso_text(listed.window.start_ms)},
                   {"period_end", time_or_null(listed.window.end_ms)},
                   {"spent_usd", std::round(listed.spent_usd * 1e9) / 1e9},
                   {"rpm", or_null(key.rpm)},
                   {"tpm", or_null(key.tpm)},
                   {"models", key.models ? nlohmann::json(*key.models) : nullptr},
                   {"expires", time_or_null(key.expires_ms)},
                   {"revoked", time_or_null(key.revoked_ms)},
                   {"status", to_string(key.status(now_ms))}});
  }
  return out;
}

std::string dollars(double usd, const char* format) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, format, usd);
  return buffer;
}

void print_keys_table(std::ostream& out, const std::vector<ListedKey>& keys, std::int64_t now_ms) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "KEY", "CREATED", "BUDGET", "SPENT", "RPM", "TPM", "MODELS", "EXPIRES", "STATUS"}};
  for (const ListedKey& listed : keys) {
    const ClientKey& key = listed.key;
    std::string models = "all";
    if (key.models) {
      models.clear();
      for (const std::string& model : *key.models)
        models += (models.empty() ? "" : ",") + model;
    }
    rows.push_back({key.name, key_hint(key.id), local_minute_text(key.created_ms),
                    key.budget_usd
                        ? dollars(*key.budget_usd, "$%.2f") + "/" + to_string(key.budget_period)
                        : "-",
                    dollars(listed.spent_usd, "$%.6f"), key.rpm ? std::to_string(*key.rpm) : "-",
                    key.tpm ? std::to_string(*key.tpm) : "-", models,
                    key.expires_ms ? local_minute_text(*key.expires_ms) : "never",
                    to_string(key.status(now_ms))});
  }
  print_text_table(out, rows);
}

}  // namespace

int run_client_key_list(Context& ctx, bool json) {
  const std::int64_t now_ms = ctx.clock().unix_milliseconds();
  const std::vector<ListedKey> keys = read_keys(ctx.config().paths.db_file, now_ms);
  Io& io = ctx.io();
  if (json) {
    io.out << keys_json(keys, now_ms).dump(2) << '\n';
  } else if (keys.empty()) {
    io.err << "llmgw: no client keys yet; make one with `llmgw keys create NAME`\n";
  } else {
    print_keys_table(io.out, keys, now_ms);
  }
  return 0;
}

void register_client_keys(CLI::App& keys, Context& ctx) {
  auto opts = std::make_shared<CreateOptions>();
  CLI::App* create = keys.add_subcommand(
      "create", "Make a client key for apps that use `llmgw serve`, printed once on stdout");
  create->add_option("name", opts->name, "The key's name: 1-64 of a-z, 0-9, '-', '_'")->required();
  create->add_option("--budget", opts->budget, "USD the key may spend per period")
      ->type_name("USD");
  create
      ->add_option("--budget-period", opts->budget_period,
                   "day, month (default) or total: what the budget counts")
      ->type_name("PERIOD");
  create->add_option("--rpm", opts->rpm, "Requests per minute")->type_name("N");
  create->add_option("--tpm", opts->tpm, "Tokens per minute")->type_name("N");
  create->add_option("--models", opts->models, "The only models it may use, comma-separated")
      ->type_name("LIST");
  create
      ->add_option("--expires", opts->expires,
                   "When it stops working: 30d, 2026-12-31 or 2026-12-31T18:00")
      ->type_name("WHEN");
  create->footer(k_create_footer);
  create->callback([&ctx, opts] { ctx.exit_code = run_create(ctx, *opts); });

  auto name = std::make_shared<std::string>();
  CLI::App* revoke =
      keys.add_subcommand("revoke", "Revoke a client key: it is refused from now on");
  revoke->add_option("name", *name, "The client key's name")->required();
  revoke->footer(k_revoke_footer);
  revoke->callback([&ctx, name] { ctx.exit_code = run_revoke(ctx, *name); });
}

}  // namespace llmgw::cli
