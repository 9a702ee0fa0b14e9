// libcurl implementation of Transport. Thread-safe: every call borrows a transfer
// context (an easy handle with its own multi handle and connection cache) from a small
// pool and returns it afterwards, so connections stay alive and are reused by later
// calls from any thread; concurrent calls use different contexts. (libcurl 7.88 does
// not support one connection cache shared by concurrent threads, so CURLSH only shares
// DNS and TLS sessions.) Proxies follow libcurl's environment rules (HTTPS_PROXY,
// https_proxy, http_proxy, NO_PROXY), which we never override.
#pragma once

#include <memory>
#include <mutex>

#include "core/http/transport.hpp"

namespace llmgw {

class CurlTransport final : public Transport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request, const CancelToken* cancel) override;
  HttpResponse stream(const HttpRequest& request, const ChunkCallback& on_chunk,
                      const CancelToken* cancel) override;

  // Number of new TCP connections opened so far (for tests of keep-alive reuse).
  long connections_opened() const;

 private:
  struct Impl;
  // libcurl and its TLS stack are initialised on the first request, not at construction:
  // commands that never reach the network (mock, --help) keep their start-up cost.
  Impl& impl();

  std::once_flag m_init;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace llmgw
