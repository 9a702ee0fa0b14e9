// Where `llmgw image` puts the pictures it gets, and how it writes them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::cli {

// The files for `count` images:
//   no -o:            image-<stamp>.png in the current directory;
//   -o DIR (an existing directory, or a path ending in '/'): the same names in DIR;
//   -o PATH:          PATH itself for one image.
// Several images are numbered before the extension: fox-1.png, fox-2.png, … (image-
// <stamp>-1.png, … without -o). `stamp` is e.g. "20261204-203015".
std::vector<std::filesystem::path> image_paths(const std::optional<std::string>& output,
                                               std::size_t count, const std::string& stamp);

// What one item of an images answer holds: the picture's bytes when they came inline
// ("b64_json", or a "url" that is a data: URL), else the http(s) URL to download them
// from. Throws GatewayError{upstream} for an item with neither, or with base64 that does
// not decode.
struct ImageData {
  std::optional<std::string> bytes;
  std::string url;
};
ImageData image_data(const nlohmann::json& item, std::size_t index);

// Writes `bytes` to `path` through a temporary file in the same directory, so the file
// is never seen half written. Without `force` an existing file is never replaced, even
// one that appeared after the caller checked (link(2) refuses): GatewayError{usage}
// naming --force. The file's mode is 0666 less the umask, as for any new file. Other
// failures: GatewayError{io} naming the path.
void write_image_file(const std::filesystem::path& path, std::string_view bytes, bool force);

}  // namespace llmgw::cli
