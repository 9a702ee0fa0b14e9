#include "core/http/curl_transport.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/http/curl_library.hpp"

namespace llmgw {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A non-2xx body in stream() is only read for error mapping; more is never useful.
constexpr std::size_t k_error_body_cap = 1024 * 1024;
// Longest sleep in the transfer loop: bounds how late a cancel or one of our own
// timeouts is noticed while the server is silent.
constexpr milliseconds k_poll_interval{50};
// Idle lanes kept for reuse; each keeps its own warm connections. Enough for a busy
// daemon: with fewer lanes than concurrent requests, every lane beyond the cap closed its
// connection on return, and a fifth of the requests at 64 connections paid a new TCP
// connection (and left a TIME_WAIT socket). The CLI never holds more than a few.
constexpr std::size_t k_max_idle_lanes = 128;

// "2.0 s", "0.25 s", "10 s": short and exact enough to match the configured value.
std::string format_seconds(milliseconds ms) {
  const long long v = ms.count();
  char buf[32];
  if (v % 1000 == 0 && v >= 10'000) {
    std::snprintf(buf, sizeof buf, "%lld s", v / 1000);
  } else if (v % 100 == 0) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(v) / 1000.0);
  } else if (v % 10 == 0) {
    std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(v) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(v) / 1000.0);
  }
  return buf;
}

// A timeout of zero or less means "no limit" (as for libcurl's own options).
bool limited(milliseconds limit) {
  return limit.count() > 0;
}

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool proxy_configured() {
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      return true;
    }
  }
  return false;
}

std::string network_fix() {
  std::string fix = "check the provider's base_url (llmgw config show)";
  if (proxy_configured()) {
    fix += " and the proxy settings (https_proxy, http_proxy, NO_PROXY)";
  }
  return fix;
}

// Where a request goes, for messages and lane selection. Only host and port: the
// URL itself may carry a key in its query string, so it never appears in a message.
struct Target {
  std::string host;    // "api.openai.com:443"
  std::string origin;  // "https://api.openai.com:443"
};

Target parse_target(const std::string& url) {
  CURLU* handle = curl_library().url();
  if (handle == nullptr) {
    throw std::bad_alloc();
  }
  std::unique_ptr<CURLU, decltype(CurlLibrary::url_cleanup)> guard(handle,
                                                                   curl_library().url_cleanup);
  if (const CURLUcode rc = curl_library().url_set(handle, CURLUPART_URL, url.c_str(), 0);
      rc != CURLUE_OK) {
    fail(ErrorKind::config, std::string("invalid provider URL: ") + curl_library().url_strerror(rc),
         "check the provider's base_url (llmgw config show)");
  }
  auto part = [&](CURLUPart which, unsigned int flags) {
    char* value = nullptr;
    std::string out;
    if (curl_library().url_get(handle, which, &value, flags) == CURLUE_OK && value != nullptr) {
      out = value;
    }
    curl_library().free(value);
    return out;
  };
  Target target;
  target.host = part(CURLUPART_HOST, 0) + ":" + part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  target.origin = part(CURLUPART_SCHEME, 0) + "://" + target.host;
  return target;
}

// One reusable transfer context. Connections belong to the multi handle's cache, so a
// lane returned to the pool keeps its connections alive for the next call (from any
// thread). Lanes are used by one call at a time: libcurl 7.88 does not support sharing
// a connection cache (CURL_LOCK_DATA_CONNECT) between concurrent threads.
struct Lane {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  bool attached = false;
  std::string origin;  // of the last call, to prefer lanes with a warm connection

  Lane() : multi(curl_library().multi_init()), easy(curl_library().easy_init()) {
    if (multi == nullptr || easy == nullptr) {
      release();
      throw std::bad_alloc();
    }
  }
  ~Lane() { release(); }
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  void attach() {
    if (curl_library().multi_add_handle(multi, easy) != CURLM_OK) {
      fail(ErrorKind::internal, "could not start an HTTP transfer (curl_multi_add_handle)");
    }
    attached = true;
  }
  // Removing an unfinished transfer closes its connection; a finished one goes back to
  // the multi's cache.
  void detach() {
    if (attached) {
      curl_library().multi_remove_handle(multi, easy);
      attached = false;
    }
  }

 private:
  void release() {
    detach();
    if (easy != nullptr) {
      curl_library().easy_cleanup(easy);
    }
    if (multi != nullptr) {
      curl_library().multi_cleanup(multi);
    }
    easy = nullptr;
    multi = nullptr;
  }
};

// State of one exchange, shared with the libcurl callbacks.
struct Exchange {
  const HttpRequest* request = nullptr;
  const ChunkCallback* on_chunk = nullptr;  // null for send()
  const CancelToken* cancel = nullptr;
  const Target* target = nullptr;
  CURL* easy = nullptr;

  Clock::time_point start;
  Clock::time_point last_byte;
  bool got_bytes = false;
  long status = 0;  // of the response whose body is arriving
  std::string body;
  bool body_capped = false;
  std::exception_ptr chunk_error;  // thrown by on_chunk, rethrown after curl returns
  std::optional<Error> abort;      // our own timeout or the cancel, once decided
  char error_buffer[CURL_ERROR_SIZE] = {};

  bool streaming() const { return on_chunk != nullptr; }
  void touch() {
    last_byte = Clock::now();
    got_bytes = true;
  }

  // Our deadlines and the cancel token; libcurl only enforces connect and total.
  std::optional<Error> check(Clock::time_point now) const {
    if (cancel != nullptr && cancel->cancelled()) {
      return make_error(ErrorKind::cancelled, "request cancelled");
    }
    const Timeouts& t = request->timeouts;
    if (limited(t.total) && now - start >= t.total) {
      return total_timeout();
    }
    if (!got_bytes) {
      if (limited(t.first_byte) && now - start >= t.first_byte) {
        return make_error(ErrorKind::timeout,
                          "no response from " + target->host + " within " +
                              format_seconds(t.first_byte) + " (first-byte timeout)",
                          "raise first_byte_timeout in config.toml if the model is slow to "
                          "start answering");
      }
    } else if (limited(t.idle) && now - last_byte >= t.idle) {
      return make_error(ErrorKind::timeout,
                        std::string(streaming() ? "the stream" : "the response") + " from " +
                            target->host + " stalled for " + format_seconds(t.idle) +
                            " (idle timeout)",
                        "raise idle_timeout in config.toml");
    }
    return std::nullopt;
  }

  Error total_timeout() const {
    return make_error(ErrorKind::timeout,
                      "request to " + target->host + " exceeded the total timeout of " +
                          format_seconds(request->timeouts.total),
                      "raise total_timeout in config.toml");
  }

  // How long the transfer loop may sleep before one of our deadlines can pass.
  milliseconds poll_budget(Clock::time_point now) const {
    const Timeouts& t = request->timeouts;
    auto budget = k_poll_interval;
    auto consider = [&](Clock::time_point deadline) {
      const auto left = std::chrono::ceil<milliseconds>(deadline - now);
      budget = std::clamp(left, milliseconds{1}, budget);
    };
    if (limited(t.total)) {
      consider(start + t.total);
    }
    if (!got_bytes && limited(t.first_byte)) {
      consider(start + t.first_byte);
    }
    if (got_bytes && limited(t.idle)) {
      consider(last_byte + t.idle);
    }
    return budget;
  }
};

size_t on_header(char* /*data*/, size_t size, size_t count, void* user) {
  // Only timing matters here: the headers themselves are read after the transfer
  // with curl_easy_nextheader, which already keeps only the final response's.
  static_cast<Exchange*>(user)->touch();
  return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const size_t length = size * count;
  x.touch();
  if (x.status == 0) {
    curl_library().easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &x.status);
  }
  const bool success = x.status >= 200 && x.status < 300;
  if (x.streaming() && success) {
    try {
      (*x.on_chunk)(std::string_view(data, length));
    } catch (...) {
      x.chunk_error = std::current_exception();
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    return length;
  }
  if (x.streaming() && x.body.size() + length > k_error_body_cap) {
    x.body.append(data, k_error_body_cap - x.body.size());
    x.body_capped = true;
    return 0;  // enough of an error body; stop reading (treated as success)
  }
  try {
    x.body.append(data, length);
  } catch (...) {
    x.chunk_error = std::current_exception();
    return 0;
  }
  return length;
}

// Lets libcurl stop promptly from inside a long perform step; the transfer loop
// checks the same conditions between steps.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& x = *static_cast<Exchange*>(user);
  if (x.abort) {
    return 1;
  }
  try {
    x.abort = x.check(Clock::now());
  } catch (...) {
    return 1;
  }
  return x.abort ? 1 : 0;
}

using HeaderList = std::unique_ptr<curl_slist, decltype(CurlLibrary::slist_free_all)>;

HeaderList build_headers(const Headers& headers) {
  HeaderList list(nullptr, curl_library().slist_free_all);
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_library().slist_append(list.get(), line.c_str());
    if (next == nullptr) {
      throw std::bad_alloc();
    }
    list.release();
    list.reset(next);
  };
  for (const auto& [name, value] : headers) {
    // A line break would split the header (and could smuggle another); the value is
    // not quoted because headers hold keys.
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      fail(ErrorKind::config, "the request header '" + name + "' contains a line break",
           "check API keys and custom headers in the configuration for stray newlines");
    }
    // "Name;" is libcurl's way of sending a header with an empty value.
    append(value.empty() ? name + ";" : name + ": " + value);
  }
  append("Expect:");  // no 100-continue round trip for large bodies
  return list;
}

template <class T>
void set(CURL* easy, CURLoption option, T value) {
  if (curl_library().easy_setopt(easy, option, value) != CURLE_OK) {
    fail(ErrorKind::internal, "libcurl rejected an option (" + std::to_string(option) + ")");
  }
}

}  // namespace

struct CurlTransport::Impl {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::atomic<long> connections{0};

  std::mutex lanes_mutex;
  std::vector<std::unique_ptr<Lane>> idle_lanes;  // most recently used last

  Impl() {
    share = curl_library().share_init();
    if (share == nullptr) {
      throw std::bad_alloc();
    }
    // DNS and TLS sessions are safe to share between concurrent threads (with locks);
    // connections are not in this libcurl, so they are kept per lane instead.
    curl_library().share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::lock);
    curl_library().share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
    curl_library().share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_library().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_library().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~Impl() {
    idle_lanes.clear();  // easy handles go before the share they use
    curl_library().share_cleanup(share);
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[static_cast<std::size_t>(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks[static_cast<std::size_t>(data)].unlock();
  }

  std::unique_ptr<Lane> take_lane(const std::string& origin) {
    {
      std::lock_guard lock(lanes_mutex);
      if (!idle_lanes.empty()) {
        auto it = std::find_if(idle_lanes.rbegin(), idle_lanes.rend(),
                               [&](const auto& lane) { return lane->origin == origin; });
        auto chosen = it != idle_lanes.rend() ? std::prev(it.base()) : std::prev(idle_lanes.end());
        std::unique_ptr<Lane> lane = std::move(*chosen);
        idle_lanes.erase(chosen);
        return lane;
      }
    }
    return std::make_unique<Lane>();
  }

  void return_lane(std::unique_ptr<Lane> lane) {
    lane->detach();
    // Drops the options that point into the finished call (error buffer, callbacks'
    // user data); the connections stay in the lane's multi handle.
    curl_library().easy_reset(lane->easy);
    std::unique_ptr<Lane> surplus;
    {
      std::lock_guard lock(lanes_mutex);
      if (idle_lanes.size() >= k_max_idle_lanes) {
        surplus = std::move(idle_lanes.front());
        idle_lanes.erase(idle_lanes.begin());
      }
      idle_lanes.push_back(std::move(lane));
    }
    // `surplus` closes its connections outside the lock.
  }

  HttpResponse perform(const HttpRequest& request, const ChunkCallback* on_chunk,
                       const CancelToken* cancel);
};

namespace {

void configure(CURL* easy, CURLSH* share, Exchange& x, curl_slist* headers) {
  const HttpRequest& request = *x.request;
  set(easy, CURLOPT_URL, request.url.c_str());
  set(easy, CURLOPT_SHARE, share);
  set(easy, CURLOPT_NOSIGNAL, 1L);
  set(easy, CURLOPT_TCP_NODELAY, 1L);
  set(easy, CURLOPT_ERRORBUFFER, x.error_buffer);
  set(easy, CURLOPT_HTTPHEADER, headers);
  set(easy, CURLOPT_USERAGENT, "llmgw/" LLMGW_VERSION);
  set(easy, CURLOPT_HEADERFUNCTION, &on_header);
  set(easy, CURLOPT_HEADERDATA, &x);
  set(easy, CURLOPT_WRITEFUNCTION, &on_write);
  set(easy, CURLOPT_WRITEDATA, &x);
  set(easy, CURLOPT_NOPROGRESS, 0L);
  set(easy, CURLOPT_XFERINFOFUNCTION, &on_progress);
  set(easy, CURLOPT_XFERINFODATA, &x);
  // Only HTTP(S), also for redirects (which are not followed anyway).
  set(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (limited(request.timeouts.connect)) {
    set(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeouts.connect.count()));
  }
  if (limited(request.timeouts.total)) {
    set(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeouts.total.count()));
  }
  if (!x.streaming()) {
    set(easy, CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl can decode
  }

  const std::string& method = request.method;
  if (method == "GET") {
    set(easy, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    set(easy, CURLOPT_NOBODY, 1L);
  } else {
    if (method == "POST" || !request.body.empty()) {
      set(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    }
    if (method != "POST") {
      set(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  }
  // Proxies: deliberately no CURLOPT_PROXY/NOPROXY, so libcurl applies the environment.
}

// Runs the transfer until libcurl finishes it or we abort it (x.abort set).
CURLcode run(Lane& lane, Exchange& x) {
  int running = 1;
  while (true) {
    if (curl_library().multi_perform(lane.multi, &running) != CURLM_OK) {
      fail(ErrorKind::internal, "libcurl failed while running an HTTP transfer");
    }
    if (running == 0) {
      break;
    }
    if (!x.abort) {
      x.abort = x.check(Clock::now());
    }
    if (x.abort) {
      return CURLE_ABORTED_BY_CALLBACK;
    }
    if (curl_library().multi_poll(lane.multi, nullptr, 0,
                                  static_cast<int>(x.poll_budget(Clock::now()).count()),
                                  nullptr) != CURLM_OK) {
      fail(ErrorKind::internal, "libcurl failed while waiting for an HTTP transfer");
    }
  }
  int queued = 0;
  while (CURLMsg* msg = curl_library().multi_info_read(lane.multi, &queued)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == lane.easy) {
      return msg->data.result;
    }
  }
  fail(ErrorKind::internal, "libcurl finished an HTTP transfer without a result");
}

std::string curl_message(const Exchange& x, CURLcode result) {
  return x.error_buffer[0] != '\0' ? std::string(x.error_buffer)
                                   : curl_library().easy_strerror(result);
}

[[noreturn]] void throw_transfer_error(const Exchange& x, CURLcode result) {
  const std::string& host = x.target->host;
  long os_errno = 0;
  curl_library().easy_getinfo(x.easy, CURLINFO_OS_ERRNO, &os_errno);
  long response_code = 0;
  curl_library().easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &response_code);
  curl_off_t pretransfer_us = 0;
  curl_library().easy_getinfo(x.easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);

  switch (result) {
    case CURLE_OPERATION_TIMEDOUT: {
      const Timeouts& t = x.request->timeouts;
      const bool connecting = pretransfer_us == 0 && !x.got_bytes;
      if (connecting && limited(t.connect) && (!limited(t.total) || t.connect <= t.total)) {
        fail(ErrorKind::timeout,
             "connect to " + host + " timed out after " + format_seconds(t.connect),
             network_fix() + ", or raise connect_timeout in config.toml");
      }
      throw GatewayError(x.total_timeout());
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      fail(ErrorKind::network,
           "could not resolve the host of " + host + ": " + curl_message(x, result), network_fix());
    case CURLE_COULDNT_RESOLVE_PROXY:
      fail(ErrorKind::network, "could not resolve the proxy host: " + curl_message(x, result),
           "check the proxy settings (https_proxy, http_proxy, NO_PROXY)");
    case CURLE_COULDNT_CONNECT:
      fail(ErrorKind::network,
           "could not connect to " + host + ": " +
               (os_errno != 0 ? std::string(std::strerror(static_cast<int>(os_errno)))
                              : curl_message(x, result)),
           network_fix());
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      fail(ErrorKind::network, "TLS with " + host + " failed: " + curl_message(x, result),
           network_fix());
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      fail(ErrorKind::config, "cannot use the provider URL: " + curl_message(x, result),
           "check the provider's base_url (llmgw config show)");
    default:
      break;
  }
  if (response_code != 0) {
    // The response had started: its body was cut off.
    if (x.streaming() && response_code >= 200 && response_code < 300) {
      fail(ErrorKind::stream_broken,
           "the stream from " + host + " was cut off: " + curl_message(x, result));
    }
    fail(ErrorKind::network,
         "the response from " + host + " was cut off: " + curl_message(x, result));
  }
  fail(ErrorKind::network, "the connection to " + host + " failed: " + curl_message(x, result),
       network_fix());
}

// A connection failure or timeout may be retried only when not one byte of a response
// came (not even headers): then the provider cannot have started answering, or charging.
Error with_retry_mark(Error error, const Exchange& x) {
  if (error.kind == ErrorKind::network || error.kind == ErrorKind::timeout)
    error.retryable = !x.got_bytes;
  return error;
}

Headers response_headers(CURL* easy) {
  Headers headers;
  curl_header* previous = nullptr;
  while (curl_header* h = curl_library().easy_nextheader(easy, CURLH_HEADER, -1, previous)) {
    headers.emplace_back(to_lower(h->name), h->value);
    previous = h;
  }
  return headers;
}

}  // namespace

HttpResponse CurlTransport::Impl::perform(const HttpRequest& request, const ChunkCallback* on_chunk,
                                          const CancelToken* cancel) {
  const Target target = parse_target(request.url);
  if (cancel != nullptr && cancel->cancelled()) {
    fail(ErrorKind::cancelled, "request cancelled");
  }
  const HeaderList headers = build_headers(request.headers);

  struct LaneReturn {
    Impl* impl;
    std::unique_ptr<Lane> lane;
    ~LaneReturn() { impl->return_lane(std::move(lane)); }
  } lease{this, take_lane(target.origin)};
  Lane& lane = *lease.lane;
  lane.origin = target.origin;
  curl_library().easy_reset(lane.easy);

  Exchange x;
  x.request = &request;
  x.on_chunk = on_chunk;
  x.cancel = cancel;
  x.target = &target;
  x.easy = lane.easy;
  configure(lane.easy, share, x, headers.get());

  x.start = Clock::now();
  lane.attach();
  const CURLcode result = run(lane, x);
  lane.detach();

  long opened = 0;
  if (curl_library().easy_getinfo(lane.easy, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK) {
    connections.fetch_add(opened, std::memory_order_relaxed);
  }

  if (x.chunk_error) {
    std::rethrow_exception(x.chunk_error);
  }
  if (x.abort) {
    throw GatewayError(with_retry_mark(*x.abort, x));
  }
  if (result != CURLE_OK && !(result == CURLE_WRITE_ERROR && x.body_capped)) {
    try {
      throw_transfer_error(x, result);
    } catch (const GatewayError& e) {
      throw GatewayError(with_retry_mark(e.error(), x));
    }
  }

  HttpResponse response;
  curl_library().easy_getinfo(lane.easy, CURLINFO_RESPONSE_CODE, &x.status);
  response.status = static_cast<int>(x.status);
  response.headers = response_headers(lane.easy);
  response.body = std::move(x.body);
  return response;
}

CurlTransport::CurlTransport() = default;

CurlTransport::~CurlTransport() = default;

CurlTransport::Impl& CurlTransport::impl() {
  std::call_once(m_init, [this] { m_impl = std::make_unique<Impl>(); });
  return *m_impl;
}

HttpResponse CurlTransport::send(const HttpRequest& request, const CancelToken* cancel) {
  return impl().perform(request, nullptr, cancel);
}

HttpResponse CurlTransport::stream(const HttpRequest& request, const ChunkCallback& on_chunk,
                                   const CancelToken* cancel) {
  return impl().perform(request, &on_chunk, cancel);
}

long CurlTransport::connections_opened() const {
  // Only read after requests finished on this thread, or never: m_impl is then stable.
  return m_impl ? m_impl->connections.load(std::memory_order_relaxed) : 0;
}

}  // namespace llmgw
