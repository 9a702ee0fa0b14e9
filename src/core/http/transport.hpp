// HTTP client abstraction used by the Gateway. Adapters build HttpRequest values and
// read HttpResponse values; only the Transport does I/O. Tests substitute real local
// servers (never a mock Transport for integration tests).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmgw {

using Headers = std::vector<std::pair<std::string, std::string>>;

// First header with this (case-insensitive) name.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

// A value of zero or less means "no limit". first_byte runs from the start of the call
// to the first response byte (headers count); idle is the longest silence allowed
// after that.
struct Timeouts {
  std::chrono::milliseconds connect{10'000};      // TCP/TLS connect
  std::chrono::milliseconds first_byte{120'000};  // call start → first response byte
  std::chrono::milliseconds idle{120'000};        // max silence between received bytes
  std::chrono::milliseconds total{600'000};       // whole exchange
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  Headers headers;  // sent as given; may hold secrets, so never log this
  std::string body;
  Timeouts timeouts;
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct HttpResponse {
  int status = 0;
  Headers headers;   // names lower-cased
  std::string body;  // whole body; for stream(): only filled when status is not 2xx
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

// Set from another thread (e.g. a SIGINT watcher) to abort an in-flight exchange; the
// Transport then throws GatewayError{ErrorKind::cancelled} promptly (well under 1 s).
class CancelToken {
 public:
  void cancel() noexcept { m_cancelled.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return m_cancelled.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> m_cancelled{false};
};

// Receives body bytes of a 2xx streamed response as they arrive, in arbitrary pieces.
using ChunkCallback = std::function<void(std::string_view bytes)>;

class Transport {
 public:
  virtual ~Transport() = default;

  // Performs the exchange and returns the whole response, whatever its status.
  // Throws GatewayError with kind network / timeout / cancelled on transport failure.
  virtual HttpResponse send(const HttpRequest& request, const CancelToken* cancel) = 0;

  // Like send(), but a 2xx body is delivered through on_chunk as it arrives and not
  // kept in the returned response. A non-2xx body is not streamed: it is collected
  // (capped at 1 MiB) into the returned response for error mapping.
  // If on_chunk throws, the exchange is aborted and the exception propagates.
  // Timeouts apply as in send(); a timeout after some bytes were delivered still throws.
  virtual HttpResponse stream(const HttpRequest& request, const ChunkCallback& on_chunk,
                              const CancelToken* cancel) = 0;
};

}  // namespace llmgw
