#include "core/config/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "core/error.hpp"

namespace llmgw {

namespace {

[[noreturn]] void fail_write(const std::filesystem::path& path, int error) {
  fail(ErrorKind::io, "cannot write " + path.string() + ": " + std::strerror(error),
       "check that the directory " + path.parent_path().string() + " is writable");
}

}  // namespace

void make_private_dirs(const std::filesystem::path& dir) {
  if (dir.empty()) {
    return;
  }
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      const int error = errno;
      struct stat info {};
      if (::stat(partial.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
        continue;  // exists, in a parent we may not write to
      }
      fail(ErrorKind::io,
           "cannot create directory " + partial.string() + ": " + std::strerror(error),
           "check the permissions of " + partial.parent_path().string());
    }
  }
}

void write_atomically(const std::filesystem::path& target, const std::string& content) {
  const std::filesystem::path dir =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::random_device random;
  std::filesystem::path temp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    // Built by appending: GCC 12 -O3 warns falsely (-Wrestrict) on "." + std::string.
    std::string name = ".";
    name += target.filename().string();
    name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
    temp = dir / name;
    fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      fail_write(target, errno);
    }
  }
  if (fd < 0) {
    fail_write(target, EEXIST);
  }
  Fd file(fd);
  const auto fail_and_unlink = [&](int error) {
    ::unlink(temp.c_str());
    fail_write(target, error);
  };
  if (::fchmod(file.get(), 0600) != 0) {
    fail_and_unlink(errno);
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(file.get(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail_and_unlink(errno);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(file.get()) != 0) {
    fail_and_unlink(errno);
  }
  if (file.close() != 0) {
    fail_and_unlink(errno);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    fail_and_unlink(errno);
  }
  // Makes the rename itself durable. Some file systems refuse fsync on a directory; the
  // file is already complete and in place then, so that is not worth failing for.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace llmgw
