// `llmgw embed`: embeddings of a text, a file, or each line of a file, in batches.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <sstream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/embed_output.hpp"
#include "cli/interrupt.hpp"
#include "cli/key_option.hpp"
#include "cli/money_text.hpp"
#include "cli/operation_model.hpp"
#include "cli/progress_bar.hpp"
#include "cli/text_input.hpp"
#include "cli/unpriced_notice.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/providers/embeddings.hpp"

namespace llmgw::cli {

namespace {

using nlohmann::json;

struct EmbedOptions {
  std::vector<std::string> text;
  std::string model;
  std::int64_t dimensions = 0;
  std::string file;
  std::string lines;
  std::size_t batch_size = 100;
  std::string format = "json";
  std::string key;
  bool usage = false;
  bool quiet = false;
  CLI::Option* model_opt = nullptr;
  CLI::Option* dimensions_opt = nullptr;
  CLI::Option* file_opt = nullptr;
  CLI::Option* lines_opt = nullptr;
  CLI::Option* key_opt = nullptr;
};

constexpr const char* k_embed_footer = R"(Input (one of):
  TEXT...        the words, joined by spaces: one input
  --file F       the whole file as one input (- for stdin)
  --lines F      each line of the file as its own input (- for stdin), sent in batches
                 of --batch-size; an empty line is an error, so outputs stay in step
                 with the lines
  piped stdin    when none of the above is given: one input

Output (--format):
  json     one OpenAI embeddings list with every input (the default)
  ndjson   a line per input, as each batch arrives: {"index":N,"embedding":[...]}
  floats   a line per input: the values separated by spaces
  base64   a line per input: the values as little-endian float32, base64-encoded
  Lines come in input order. With more than one batch, a progress bar (count, rate,
  time left) is drawn on stderr when it is a terminal; --quiet hides it.

Without -m: openai/text-embedding-3-small when an OpenAI key is configured, else the
built-in mock/embed (which needs no key).

Examples:
  llmgw embed -m openai/text-embedding-3-small "The quick brown fox"
  llmgw embed -m mock/embed --format floats "hello"
  llmgw embed --lines titles.txt --format ndjson > titles.ndjson
  cut -f2 data.tsv | llmgw embed --lines - --batch-size 500 --format base64
  llmgw embed -m gemini/text-embedding-004 --dimensions 256 --file README.md)";

// The bytes of `path` ("-" is stdin).
std::string read_all(Io& io, const std::string& path) {
  if (path == "-")
    return std::string(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int error = errno;
    fail(ErrorKind::usage, "cannot read " + path + ": " + std::strerror(error),
         "check the path, or pass - to read stdin");
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string source_name(const std::string& path) {
  return path == "-" ? std::string("stdin") : path;
}

// --lines: every line, '\r\n' or '\n' ended; the last line needs no newline.
std::vector<std::string> split_lines(const std::string& text, const std::string& path) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (is_blank(line)) {
      fail(ErrorKind::usage,
           "line " + std::to_string(lines.size() + 1) + " of " + source_name(path) +
               " is empty, and embeddings need text",
           "remove empty lines first, e.g. grep -v '^[[:space:]]*$' FILE | llmgw embed --lines -");
    }
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> gather_inputs(Io& io, const EmbedOptions& opts) {
  const int sources = (opts.text.empty() ? 0 : 1) + static_cast<int>(opts.file_opt->count()) +
                      static_cast<int>(opts.lines_opt->count());
  if (sources > 1)
    fail(ErrorKind::usage, "give the text as arguments, --file or --lines: only one of them");
  if (opts.lines_opt->count() > 0) {
    const std::string text = read_all(io, opts.lines);
    require_utf8(text, source_name(opts.lines));
    std::vector<std::string> lines = split_lines(text, opts.lines);
    if (lines.empty())
      fail(ErrorKind::usage, source_name(opts.lines) + " has no lines to embed");
    return lines;
  }
  std::string text;
  std::string what = "the text";
  if (opts.file_opt->count() > 0) {
    text = read_all(io, opts.file);
    what = source_name(opts.file);
  } else if (!opts.text.empty()) {
    text = join_words(opts.text);
  } else if (!io.in_tty) {
    text = read_all(io, "-");
    what = "stdin";
  }
  if (is_blank(text)) {
    fail(ErrorKind::usage, "nothing to embed",
         "pass the text as an argument (llmgw embed \"hello\"), --file F, --lines F, or pipe "
         "text in");
  }
  require_utf8(text, what);
  return {text};
}

// One batch's embeddings, in input order (by each item's "index").
std::vector<json> ordered_embeddings(const json& response, std::size_t count) {
  std::vector<json> ordered(count);
  std::vector<bool> seen(count, false);
  const auto data = response.find("data");
  if (data == response.end() || !data->is_array() || data->size() != count) {
    fail(ErrorKind::upstream,
         "the answer has " +
             std::to_string(data != response.end() && data->is_array() ? data->size() : 0) +
             " embeddings for " + std::to_string(count) + " inputs");
  }
  for (std::size_t i = 0; i < count; ++i) {
    const json& item = (*data)[i];
    const auto index = item.find("index");
    const std::size_t at =
        index != item.end() && index->is_number_unsigned() ? index->get<std::size_t>() : i;
    if (at >= count || seen[at])
      fail(ErrorKind::upstream, "the answer's embeddings have repeated or missing indexes");
    seen[at] = true;
    ordered[at] = item.value("embedding", json());
  }
  return ordered;
}

int run_embed(Context& ctx, const EmbedOptions& opts) {
  Io& io = ctx.io();
  const auto format = parse_embed_format(opts.format);
  if (!format)
    fail(ErrorKind::usage, "--format '" + opts.format + "' is not a format",
         "use json, ndjson, floats or base64");
  const std::vector<std::string> inputs = gather_inputs(io, opts);
  const std::string model =
      operation_model(ctx, opts.model_opt->count() > 0 ? std::optional(opts.model) : std::nullopt,
                      {"openai/text-embedding-3-small", "mock/embed"});

  GatewayOptions options = ctx.gateway_options();
  Gateway gateway(ctx.config(), ctx.transport(), ctx.credentials(), ctx.clock(),
                  std::move(options));

  const std::size_t batches = (inputs.size() + opts.batch_size - 1) / opts.batch_size;
  InterruptGuard interrupt_guard(ctx.cancel_token());
  ProgressBar progress(io.err, io.err_tty && !opts.quiet && batches > 1, inputs.size(), "inputs",
                       ctx.clock());
  EmbeddingList list;
  std::int64_t tokens = 0;
  double cost = 0;
  bool priced = true;
  for (std::size_t start = 0; start < inputs.size(); start += opts.batch_size) {
    const std::size_t count = std::min(opts.batch_size, inputs.size() - start);
    EmbedCall call;
    call.request = {{"model", model},
                    {"input", json(std::vector<std::string>(inputs.begin() + start,
                                                            inputs.begin() + start + count))}};
    if (opts.dimensions_opt->count() > 0)
      call.request["dimensions"] = opts.dimensions;
    if (*format == EmbedFormat::base64)
      call.request["encoding_format"] = "base64";
    if (opts.key_opt->count() > 0)
      call.api_key = opts.key;
    call.cancel = &ctx.cancel_token();
    EmbedResult result;
    try {
      result = gateway.embed(call);
    } catch (const GatewayError& e) {
      progress.finish();
      if (start == 0 || e.error().kind == ErrorKind::cancelled)
        throw;
      Error error = e.error();
      error.message = "inputs " + std::to_string(start + 1) + "-" + std::to_string(start + count) +
                      " failed (" + std::to_string(start) + " done before): " + error.message;
      throw GatewayError(std::move(error));
    }
    warn_if_first_unpriced(ctx, result.accounting, result.route);
    tokens += result.accounting.input_tokens;
    if (result.accounting.cost_usd)
      cost += *result.accounting.cost_usd;
    else
      priced = false;
    const std::vector<json> embeddings = ordered_embeddings(result.response, count);
    if (*format == EmbedFormat::json) {
      list.add(result.response, embeddings);
    } else {
      std::string lines;
      for (std::size_t i = 0; i < count; ++i)
        lines += embedding_line(*format, start + i, embeddings[i]);
      if (io.out_tty)
        progress.finish();  // the bar is on stderr, and both are one terminal
      io.out << lines;
      io.out.flush();
    }
    progress.update(start + count);
  }
  progress.finish();
  if (*format == EmbedFormat::json)
    io.out << list.result().dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  io.out.flush();
  if (opts.usage) {
    io.err << "usage: " << inputs.size() << (inputs.size() == 1 ? " input" : " inputs") << " in "
           << batches << (batches == 1 ? " request" : " requests") << ", " << tokens << " tokens · "
           << model << " · "
           << (priced ? "cost " + usd_text(cost) : std::string("cost unknown (no price)")) << '\n';
  }
  return 0;
}

}  // namespace

void register_embed(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<EmbedOptions>();
  CLI::App* cmd =
      parent.add_subcommand("embed", "Turn text into embedding vectors, one input or many");
  cmd->add_option("text", opts->text, "The text to embed (words are joined with spaces)");
  opts->model_opt = cmd->add_option("-m,--model", opts->model,
                                    "Embedding model: provider/model or an alias; several, "
                                    "comma-separated, are tried in order")
                        ->type_name("MODEL");
  opts->dimensions_opt =
      cmd->add_option("--dimensions", opts->dimensions,
                      "Ask for vectors of this length (models that can shorten them)")
          ->type_name("N")
          ->check(CLI::PositiveNumber);
  opts->file_opt =
      cmd->add_option("--file", opts->file, "Embed this whole file as one input (- for stdin)")
          ->type_name("FILE");
  opts->lines_opt = cmd->add_option("--lines", opts->lines,
                                    "Embed each line of this file as its own input (- for stdin)")
                        ->type_name("FILE");
  cmd->add_option("--batch-size", opts->batch_size,
                  "Inputs per request with --lines (default 100, at most 2048)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, embeddings::k_max_inputs));
  cmd->add_option("--format", opts->format, "Output: json (default), ndjson, floats or base64")
      ->type_name("FORMAT");
  cmd->add_flag("-u,--usage", opts->usage, "Print inputs, tokens and cost to stderr");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress bar");
  opts->key_opt = add_key_option(*cmd, opts->key);
  cmd->footer(k_embed_footer);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_embed(ctx, *opts); });
}

}  // namespace llmgw::cli
