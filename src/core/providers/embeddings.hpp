// Embeddings for every protocol. The canonical form is OpenAI's POST /v1/embeddings
// request and response (wire-formats §2.7); this module translates it to Gemini's
// batchEmbedContents (§4.6) and Ollama's /api/embed (§5.2), and back. Pure functions: no
// I/O, no clock, no environment.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"
#include "core/providers/registry.hpp"

namespace llmgw::embeddings {

inline constexpr std::size_t k_max_inputs = 2048;  // OpenAI's limit per request
inline constexpr std::size_t k_mock_default_dimensions = 8;
inline constexpr std::size_t k_mock_max_dimensions = 4096;  // keeps a mock answer small

// Edge validation. Throws GatewayError{invalid_request} with `param` set:
//   request   must be a JSON object (param "");
//   model     when given, a non-empty string;
//   input     required: a non-empty string, or a non-empty array (≤ k_max_inputs) that is
//             either all non-empty strings, all token ids (one tokenised input), or all
//             non-empty arrays of token ids. Token ids are non-negative integers. The first
//             element decides the shape, so a mixed array names the first element that
//             breaks it, e.g. param "input[3]", "input[3] must be a string, got 7";
//   dimensions      when given, a positive integer;
//   encoding_format when given, "float" or "base64".
// Unknown fields (user, …) pass.
void validate(const nlohmann::json& request);

// The inputs as text, in order: a string input gives one item. Token inputs throw
// GatewayError{invalid_request} (param "input") naming `protocol`, since only the openai
// protocol takes them. Calls validate() first.
std::vector<std::string> input_texts(Protocol protocol, const nlohmann::json& request);

// Throws GatewayError{invalid_request} "anthropic has no embeddings API" (param "model",
// provider set) for the anthropic protocol, with a fix naming a provider that has one;
// nothing for the others. Lets the Gateway refuse before it looks for a key.
void require_support(Protocol protocol, const std::string& provider);

// The upstream request, after validate():
//   openai:    POST {base}/embeddings; the body is the request with "model" replaced and
//              every other field passed through; auth per endpoint.auth.
//   gemini:    POST {base}/models/{model}:batchEmbedContents, body {"requests":[{"model":
//              "models/{model}","content":{"parts":[{"text":…}]},"outputDimensionality"?}]};
//              the key only in x-goog-api-key (never in the URL). A leading "models/" on
//              upstream_model is not doubled.
//   ollama:    POST {base}/api/embed, body {"model","input" (string or array, as given),
//              "dimensions"?,"truncate":true}; a bearer key only when one is set.
//   anthropic: require_support()'s error.
//   mock:      throws GatewayError{internal}: the mock answers through mock_embeddings().
HttpRequest build_request(Protocol protocol, const nlohmann::json& request,
                          const std::string& upstream_model, const Endpoint& endpoint);

// A 2xx upstream body → {"object":"list","model",data:[{"object":"embedding","index",
// "embedding"}],"usage"?}. `model` is used when the body names none. With
// encoding_format "base64" in `request`, each embedding is the base64 of its values as
// little-endian float32 (openai's own string passed through; float arrays, which gemini,
// ollama and some OpenAI-compatible services return, encoded here). Usage: openai's as
// given; ollama's prompt_eval_count becomes prompt_tokens and total_tokens. When the
// provider reports none (gemini never does), usage is estimated — token ids counted, text
// by estimated_tokens() — and marked "estimated": true, so it is never missing nor 0.
// Throws GatewayError{upstream} for a body that is not the protocol's embeddings JSON,
// that carries an "error" (its message quoted), or whose count of embeddings differs from
// the count of inputs (gemini, ollama). A non-2xx response throws map_error()'s Error.
nlohmann::json parse_response(Protocol protocol, const HttpResponse& response,
                              const nlohmann::json& request, const std::string& model,
                              const std::string& provider);

// A non-2xx response → Error, by the protocol's chat map_error (the error bodies are the
// same for every endpoint of a provider).
Error map_error(Protocol protocol, const HttpResponse& response, const std::string& provider);

// The mock provider's answer: no network, deterministic. Each input gets `dimensions`
// (default k_mock_default_dimensions, at most k_mock_max_dimensions) values in [-1, 1]
// derived from std::hash of its text and L2-normalised to length 1. Usage: prompt_tokens
// = Σ ceil(characters / 4) over the inputs (at least 1), total_tokens the same. Honours
// encoding_format. Throws GatewayError{invalid_request} like validate()/input_texts().
nlohmann::json mock_embeddings(const nlohmann::json& request, const std::string& model);

// Σ ceil(characters / 4) over `texts` (UTF-8 code points), at least 1: the token estimate
// used when a provider reports no usage (gemini always, ollama sometimes), and the mock's
// own count.
std::size_t estimated_tokens(const std::vector<std::string>& texts);

// Standard base64 (RFC 4648 §4, with '=' padding) of the values as little-endian float32,
// the form OpenAI uses for encoding_format "base64". Exposed for tests.
std::string encode_float32_base64(const std::vector<double>& values);

}  // namespace llmgw::embeddings
