// `llmgw image`: generate images from a prompt and save each as a file.
#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <memory>
#include <ostream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/image_files.hpp"
#include "cli/interrupt.hpp"
#include "cli/key_option.hpp"
#include "cli/operation_model.hpp"
#include "cli/report.hpp"
#include "cli/text_input.hpp"
#include "cli/unpriced_notice.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/providers/images.hpp"

namespace llmgw::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ImageOptions {
  std::vector<std::string> prompt;
  std::string model;
  std::int64_t n = 1;
  std::string size;
  std::string quality;
  std::string output;
  std::string key;
  bool force = false;
  bool usage = false;
  CLI::Option* model_opt = nullptr;
  CLI::Option* n_opt = nullptr;
  CLI::Option* size_opt = nullptr;
  CLI::Option* quality_opt = nullptr;
  CLI::Option* output_opt = nullptr;
  CLI::Option* key_opt = nullptr;
};

constexpr const char* k_image_footer = R"(Files:
  Each image is written to a file, and its path is printed on stdout, one per line.
  Without -o: image-YYYYMMDD-HHMMSS.png in the current directory. -o DIR/ puts that
  name in DIR. With -n above 1 the files are numbered: -o fox.png gives fox-1.png,
  fox-2.png, ... An existing file is never replaced without --force, and every name is
  checked before anything is asked of the provider (or paid for). Images that come as
  base64 are decoded; images that come as a URL are downloaded.

Without -m: openai/gpt-image-1 when an OpenAI key is configured, else the built-in
mock/image (which needs no key and draws a small one-colour PNG).

Examples:
  llmgw image "a lighthouse at dawn, oil painting"
  llmgw image -m openai/dall-e-3 --size 1792x1024 --quality hd -o banner.png "a city at night"
  llmgw image -n 4 -o drafts/ "logo ideas for a coffee shop"
  echo "a red bicycle" | llmgw image -m mock/image -o bike.png --force)";

std::string local_stamp(std::int64_t unix_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(unix_seconds);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

std::string gather_prompt(Io& io, const ImageOptions& opts) {
  std::string prompt = join_words(opts.prompt);
  if (is_blank(prompt) && !io.in_tty) {
    prompt = trim_trailing_newlines(
        std::string(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>()));
  }
  if (is_blank(prompt)) {
    fail(ErrorKind::usage, "no prompt given",
         "describe the image as an argument (llmgw image \"a red bicycle\") or pipe it in");
  }
  require_utf8(prompt, "the prompt");
  return prompt;
}

// Before anything is paid for: every file can be made, and none would be replaced.
void check_targets(const std::vector<fs::path>& paths, bool force) {
  for (const fs::path& path : paths) {
    const fs::path directory = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    std::error_code error;
    if (!fs::is_directory(directory, error)) {
      fail(ErrorKind::usage, "the directory " + directory.string() + " does not exist",
           "create it first (mkdir -p " + directory.string() + "), or choose another -o");
    }
    if (!force && fs::exists(fs::symlink_status(path, error))) {
      fail(ErrorKind::usage, path.string() + " already exists",
           "pass --force to overwrite it, or choose another -o");
    }
  }
}

std::string fetch_image(Context& ctx, const std::string& url) {
  HttpRequest request;
  request.method = "GET";
  request.url = url;
  const HttpResponse response = ctx.transport().send(request, &ctx.cancel_token());
  if (response.status < 200 || response.status > 299) {
    fail(ErrorKind::upstream,
         "downloading " + url + " failed with HTTP " + std::to_string(response.status),
         "the provider's image URLs expire after a while; generate the image again");
  }
  return response.body;
}

int run_image(Context& ctx, const ImageOptions& opts) {
  Io& io = ctx.io();
  const std::string prompt = gather_prompt(io, opts);
  const std::vector<fs::path> paths =
      image_paths(opts.output_opt->count() > 0 ? std::optional(opts.output) : std::nullopt,
                  static_cast<std::size_t>(opts.n), local_stamp(ctx.clock().unix_seconds()));
  check_targets(paths, opts.force);
  const std::string model =
      operation_model(ctx, opts.model_opt->count() > 0 ? std::optional(opts.model) : std::nullopt,
                      {"openai/gpt-image-1", "mock/image"});

  ImageCall call;
  call.request = {{"model", model}, {"prompt", prompt}};
  if (opts.n_opt->count() > 0)
    call.request["n"] = opts.n;
  if (opts.size_opt->count() > 0)
    call.request["size"] = opts.size;
  if (opts.quality_opt->count() > 0)
    call.request["quality"] = opts.quality;
  if (opts.key_opt->count() > 0)
    call.api_key = opts.key;
  call.cancel = &ctx.cancel_token();

  GatewayOptions options = ctx.gateway_options();
  Gateway gateway(ctx.config(), ctx.transport(), ctx.credentials(), ctx.clock(),
                  std::move(options));
  InterruptGuard interrupt_guard(ctx.cancel_token());
  const ImageResult result = gateway.image(call);
  warn_if_first_unpriced(ctx, result.accounting, result.route);

  const auto found = result.response.find("data");
  const json data = found != result.response.end() && found->is_array() ? *found : json::array();
  if (data.size() < paths.size()) {
    print_warning(io, "asked for " + std::to_string(paths.size()) + " images, got " +
                          std::to_string(data.size()));
  }
  // Every image that can be saved is saved; the first failure is reported after them.
  std::optional<GatewayError> first_failure;
  std::size_t saved = 0;
  for (std::size_t i = 0; i < std::min(data.size(), paths.size()); ++i) {
    try {
      ImageData image = image_data(data[i], i);
      const std::string bytes = image.bytes ? std::move(*image.bytes) : fetch_image(ctx, image.url);
      write_image_file(paths[i], bytes, opts.force);
      io.out << paths[i].string() << '\n';
      io.out.flush();
      ++saved;
    } catch (const GatewayError& e) {
      if (e.error().kind == ErrorKind::cancelled)
        throw;
      if (!first_failure)
        first_failure = e;
    }
  }
  if (opts.usage) {
    io.err << "usage: " << saved << (saved == 1 ? " image" : " images") << " · " << model << " · "
           << (result.accounting.cost_usd ? "cost $" + std::to_string(*result.accounting.cost_usd)
                                          : std::string("cost unknown (no price)"))
           << '\n';
  }
  if (first_failure) {
    Error error = first_failure->error();
    const std::size_t total = std::min(data.size(), paths.size());
    error.message = std::to_string(total - saved) + " of " + std::to_string(total) +
                    " images could not be saved: " + error.message;
    throw GatewayError(std::move(error));
  }
  return 0;
}

}  // namespace

void register_image(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<ImageOptions>();
  CLI::App* cmd =
      parent.add_subcommand("image", "Generate images from a prompt and save them as files");
  cmd->add_option("prompt", opts->prompt, "What to draw (words are joined with spaces)");
  opts->model_opt =
      cmd->add_option("-m,--model", opts->model, "Image model: provider/model or an alias")
          ->type_name("MODEL");
  opts->n_opt = cmd->add_option("-n", opts->n, "How many images (1 to 10)")
                    ->type_name("N")
                    ->check(CLI::Range(std::int64_t{1}, images::k_max_images));
  opts->size_opt = cmd->add_option("--size", opts->size, "WIDTHxHEIGHT (e.g. 1024x1024) or auto")
                       ->type_name("SIZE");
  opts->quality_opt =
      cmd->add_option("--quality", opts->quality,
                      "The model's quality setting (gpt-image-1: low, medium, high; "
                      "dall-e-3: standard, hd)")
          ->type_name("Q");
  opts->output_opt = cmd->add_option("-o,--output", opts->output,
                                     "The file to write (numbered when -n > 1), or a directory/")
                         ->type_name("PATH");
  cmd->add_flag("--force", opts->force, "Overwrite files that exist");
  cmd->add_flag("-u,--usage", opts->usage, "Print the images saved and their cost to stderr");
  opts->key_opt = add_key_option(*cmd, opts->key);
  cmd->footer(k_image_footer);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_image(ctx, *opts); });
}

}  // namespace llmgw::cli
