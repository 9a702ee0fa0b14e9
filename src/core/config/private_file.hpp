// Files only their owner may read (the keys file, the provider health state): directories
// created 0700, files written 0600 and atomically (temp file + fsync + rename), so a crash
// never leaves a half-written file and umask cannot loosen the mode.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace llmgw {

// Closes on scope exit so every early throw releases the descriptor.
class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  int get() const { return m_fd; }
  // Closes now, reporting the error close() may carry for a written file.
  int close() {
    const int result = ::close(m_fd);
    m_fd = -1;
    return result;
  }

 private:
  int m_fd;
};

// mkdir -p whose created directories are 0700. Throws GatewayError{io}.
void make_private_dirs(const std::filesystem::path& dir);

// Replaces `target` with `content`: readers see the old or the new file, never a
// half-written one, and the new file is 0600 (O_EXCL + fchmod). Throws GatewayError{io}.
void write_atomically(const std::filesystem::path& target, const std::string& content);

}  // namespace llmgw
