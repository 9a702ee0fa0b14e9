// libcurl, loaded when the first request is made (dlopen of libcurl.so.4) instead of at
// every process start. Linked, it and the two dozen libraries it needs (TLS, HTTP/2,
// SSH, LDAP, Kerberos, IDN…) were most of a start's cost, paid by every command, also
// those that never send: --help, completions, usage, keys, logs, and the REPL until its
// first message. Only curl_transport.cpp calls libcurl, through this table.
#pragma once

#include <curl/curl.h>

namespace llmgw {

struct CurlLibrary {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_easy_nextheader) easy_nextheader;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_share_init) share_init;
  decltype(&::curl_share_setopt) share_setopt;
  decltype(&::curl_share_cleanup) share_cleanup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_strerror) url_strerror;
  decltype(&::curl_free) free;
};

// Loads libcurl once (thread-safe) and runs curl_global_init. Throws GatewayError{internal}
// naming the library and the Debian package when it cannot be loaded.
const CurlLibrary& curl_library();

}  // namespace llmgw
