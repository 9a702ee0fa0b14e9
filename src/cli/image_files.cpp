#include "cli/image_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base64.hpp"
#include "core/config/private_file.hpp"
#include "core/error.hpp"
#include "core/random_token.hpp"

namespace llmgw::cli {

namespace {

namespace fs = std::filesystem;

fs::path numbered(const fs::path& path, std::size_t number) {
  fs::path name = path.stem();
  name += "-" + std::to_string(number);
  name += path.extension();
  return path.parent_path() / name;
}

[[noreturn]] void fail_io(const fs::path& path, const char* doing, int error) {
  fail(ErrorKind::io,
       std::string("cannot ") + doing + " " + path.string() + ": " + std::strerror(error),
       error == ENOENT ? "create the directory first, or choose another -o"
                       : "check the directory's permissions and free space, or choose another -o");
}

void write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail_io(path, "write", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::vector<fs::path> image_paths(const std::optional<std::string>& output, std::size_t count,
                                  const std::string& stamp) {
  const fs::path default_name = "image-" + stamp + ".png";
  fs::path single;
  if (!output) {
    single = default_name;
  } else {
    std::error_code error;
    const bool directory = output->ends_with('/') || fs::is_directory(*output, error);
    single = directory ? fs::path(*output) / default_name : fs::path(*output);
  }
  std::vector<fs::path> paths;
  if (count == 1) {
    paths.push_back(single);
    return paths;
  }
  for (std::size_t i = 1; i <= count; ++i)
    paths.push_back(numbered(single, i));
  return paths;
}

ImageData image_data(const nlohmann::json& item, std::size_t index) {
  const std::string which = "image " + std::to_string(index + 1) + " of the answer";
  const auto decoded = [&](std::string_view text) {
    auto bytes = base64_decode(text);
    if (!bytes)
      fail(ErrorKind::upstream, which + " is not valid base64");
    return ImageData{std::move(bytes), {}};
  };
  if (item.is_object()) {
    if (const auto b64 = item.find("b64_json"); b64 != item.end() && b64->is_string())
      return decoded(b64->get_ref<const std::string&>());
    if (const auto url = item.find("url"); url != item.end() && url->is_string()) {
      const std::string& text = url->get_ref<const std::string&>();
      if (text.starts_with("data:")) {
        const std::size_t comma = text.find(',');
        if (comma == std::string::npos ||
            std::string_view(text).substr(0, comma).find(";base64") == std::string_view::npos)
          fail(ErrorKind::upstream, which + " is a data: URL without base64 data");
        return decoded(std::string_view(text).substr(comma + 1));
      }
      if (text.starts_with("https://") || text.starts_with("http://"))
        return ImageData{std::nullopt, text};
      fail(ErrorKind::upstream, which + " has a URL that is neither http(s) nor data:");
    }
  }
  fail(ErrorKind::upstream, which + " has neither b64_json nor url");
}

void write_image_file(const fs::path& path, std::string_view bytes, bool force) {
  const fs::path directory = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const fs::path temp = directory / ("." + path.filename().string() + "." + random_hex(6) + ".tmp");
  const int raw = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (raw < 0)
    fail_io(path, "create", errno);
  Fd fd(raw);
  struct TempGuard {
    const fs::path& temp;
    bool keep = false;
    ~TempGuard() {
      if (!keep)
        ::unlink(temp.c_str());
    }
  } guard{temp};
  write_all(fd.get(), bytes, path);
  if (fd.close() != 0)
    fail_io(path, "write", errno);
  if (force) {
    if (::rename(temp.c_str(), path.c_str()) != 0)
      fail_io(path, "write", errno);
    guard.keep = true;  // it is the file now
    return;
  }
  int error = ::link(temp.c_str(), path.c_str()) == 0 ? 0 : errno;
  if (error == EPERM || error == EOPNOTSUPP) {
    // A file system without hard links (FAT, some network mounts): create it in place,
    // still never over an existing file.
    const int direct = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    error = direct < 0 ? errno : 0;
    if (direct >= 0) {
      Fd file(direct);
      write_all(file.get(), bytes, path);
      if (file.close() != 0)
        fail_io(path, "write", errno);
    }
  }
  if (error == EEXIST)
    fail(ErrorKind::usage, path.string() + " already exists",
         "pass --force to overwrite it, or choose another -o");
  if (error != 0)
    fail_io(path, "write", error);
}

}  // namespace llmgw::cli
