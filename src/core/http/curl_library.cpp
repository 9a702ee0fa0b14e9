#include "core/http/curl_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/error.hpp"

namespace llmgw {

namespace {

constexpr const char* k_soname = "libcurl.so.4";

template <class F>
void resolve(void* handle, const char* name, F& function) {
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) {
    fail(ErrorKind::internal, std::string(k_soname) + " has no " + name,
         "install a libcurl of version 7.84 or later: apt-get install libcurl4");
  }
  function = reinterpret_cast<F>(symbol);
}

CurlLibrary load() {
  void* handle = dlopen(k_soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    fail(ErrorKind::internal,
         std::string("cannot load ") + k_soname + ": " + (why ? why : "unknown reason"),
         "install it: apt-get install libcurl4");
  }
  // Never dlclose'd: transfers and libcurl's own threads live as long as the process.
  CurlLibrary lib{};
  resolve(handle, "curl_global_init", lib.global_init);
  resolve(handle, "curl_easy_init", lib.easy_init);
  resolve(handle, "curl_easy_cleanup", lib.easy_cleanup);
  resolve(handle, "curl_easy_reset", lib.easy_reset);
  resolve(handle, "curl_easy_setopt", lib.easy_setopt);
  resolve(handle, "curl_easy_getinfo", lib.easy_getinfo);
  resolve(handle, "curl_easy_strerror", lib.easy_strerror);
  resolve(handle, "curl_easy_nextheader", lib.easy_nextheader);
  resolve(handle, "curl_multi_init", lib.multi_init);
  resolve(handle, "curl_multi_cleanup", lib.multi_cleanup);
  resolve(handle, "curl_multi_add_handle", lib.multi_add_handle);
  resolve(handle, "curl_multi_remove_handle", lib.multi_remove_handle);
  resolve(handle, "curl_multi_perform", lib.multi_perform);
  resolve(handle, "curl_multi_poll", lib.multi_poll);
  resolve(handle, "curl_multi_info_read", lib.multi_info_read);
  resolve(handle, "curl_share_init", lib.share_init);
  resolve(handle, "curl_share_setopt", lib.share_setopt);
  resolve(handle, "curl_share_cleanup", lib.share_cleanup);
  resolve(handle, "curl_slist_append", lib.slist_append);
  resolve(handle, "curl_slist_free_all", lib.slist_free_all);
  resolve(handle, "curl_url", lib.url);
  resolve(handle, "curl_url_cleanup", lib.url_cleanup);
  resolve(handle, "curl_url_set", lib.url_set);
  resolve(handle, "curl_url_get", lib.url_get);
  resolve(handle, "curl_url_strerror", lib.url_strerror);
  resolve(handle, "curl_free", lib.free);
  lib.global_init(CURL_GLOBAL_DEFAULT);
  return lib;
}

}  // namespace

const CurlLibrary& curl_library() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const CurlLibrary lib = load();
  return lib;
}

}  // namespace llmgw
