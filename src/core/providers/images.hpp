// Image generation. The canonical form is OpenAI's POST /v1/images/generations request
// and response (wire-formats §2.8). Only the openai protocol (OpenAI, Azure OpenAI and
// compatible services) has it; the mock provider answers without a network. Pure
// functions: no I/O, no clock, no environment.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"
#include "core/providers/registry.hpp"

namespace llmgw::images {

inline constexpr std::int64_t k_max_images = 10;       // OpenAI's limit on n
inline constexpr std::uint32_t k_mock_image_side = 8;  // the mock's PNGs are 8×8 pixels

// Edge validation. Throws GatewayError{invalid_request} with `param` set:
//   request          must be a JSON object (param "");
//   prompt           required, a non-empty string;
//   model            when given, a non-empty string;
//   n                when given, an integer from 1 to k_max_images;
//   size             when given, "auto" or "<width>x<height>" in positive integers
//                    (e.g. "1024x1792"); which sizes a model takes is the upstream's
//                    business, since it differs per model and changes over time;
//   quality          when given, a non-empty string;
//   response_format  when given, "url" or "b64_json";
//   stream           when given, false: streamed images (partial_image events) are not
//                    supported, so true is rejected rather than misread.
// A null value counts as absent. Unknown fields (style, background, user, …) pass.
void validate(const nlohmann::json& request);

// Throws GatewayError{invalid_request} (param "model", provider set) when `protocol` has
// no image generation: anthropic, gemini and ollama. The fix names openai/gpt-image-1.
// Lets the Gateway refuse before it looks for a key.
void require_support(Protocol protocol, const std::string& provider);

// The upstream request, after validate():
//   openai: POST openai_url(endpoint, upstream_model, "images/generations") (Azure's
//           deployment layout included); the body is the request with "model" replaced and
//           every other field passed through; auth per endpoint.auth.
//   anthropic, gemini, ollama: require_support()'s error.
//   mock:   throws GatewayError{internal}: the mock answers through mock_images().
HttpRequest build_request(Protocol protocol, const nlohmann::json& request,
                          const std::string& upstream_model, const Endpoint& endpoint);

// A 2xx upstream body → OpenAI's images response: the body as given ("data" items with
// "url" or "b64_json" and an optional "revised_prompt", "usage" of GPT-image models,
// "size", "quality", … all passed through), with "created" set to `created` when the
// body has no integer "created". Throws GatewayError{upstream} for a body that is not a
// JSON object with a "data" array whose items each carry a string "url" or "b64_json",
// or that holds an "error" (its message quoted, status 502). A non-2xx response throws
// map_error()'s Error.
nlohmann::json parse_response(Protocol protocol, const HttpResponse& response, std::int64_t created,
                              const std::string& provider);

// A non-2xx response → Error, by the protocol's chat map_error (the error bodies are the
// same for every endpoint of a provider).
Error map_error(Protocol protocol, const HttpResponse& response, const std::string& provider);

// The mock provider's answer: no network, deterministic. {"created": created, "data": n
// items (default 1)}, each a valid k_mock_image_side² RGB PNG filled with one colour
// derived from a hash (SHA-256) of the prompt and the item's index, so items differ. With
// response_format "b64_json" an item is {"b64_json": base64 of the PNG}; otherwise (the
// default "url") {"url": "data:image/png;base64,…"}: the mock has no server to host
// files, and a data: URL is one that every browser and HTTP-less client can open. size
// and quality are validated but do not change the image; there is no usage (like DALL·E).
// Throws validate()'s errors.
nlohmann::json mock_images(const nlohmann::json& request, std::int64_t created);

}  // namespace llmgw::images
