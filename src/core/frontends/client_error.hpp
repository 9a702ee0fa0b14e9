// How every front end (the daemon's OpenAI and Anthropic routes) shows an Error to its
// client, whatever shape its body takes.
#pragma once

#include <string>

#include "core/error.hpp"

namespace llmgw {

// An upstream refused llmgw's own provider key (its 401 or 403). The client's request and
// key were fine, so the client must not be told that its key is wrong.
bool is_upstream_key_refusal(const Error& error);

// The status to send: the error's own when it is 400..599, else 500; 502 for an upstream
// key refusal.
int client_status(const Error& error);

// The message, ending with " (fix: <fix>)" when a fix is known.
std::string client_message(const Error& error);

}  // namespace llmgw
