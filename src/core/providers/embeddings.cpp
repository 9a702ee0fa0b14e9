#include "core/providers/embeddings.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/base64.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/providers/auth_header.hpp"
#include "core/providers/gemini_adapter.hpp"
#include "core/providers/json_reply.hpp"
#include "core/providers/ollama_adapter.hpp"
#include "core/providers/openai_adapter.hpp"
#include "core/providers/openai_url.hpp"
#include "core/providers/upstream_error.hpp"
#include "core/request_errors.hpp"

namespace llmgw::embeddings {

using request_errors::at;
using request_errors::echo;
using request_errors::reject;

namespace {

using json_reply::bad_body;
using json_reply::parse_object;
using nlohmann::json;

// Token ids are non-negative integers; 2.0 is a float in JSON and not a token.
bool is_token(const json& value) {
  return value.is_number_unsigned() ||
         (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

void check_token_array(const json& tokens, const std::string& path) {
  if (!tokens.is_array() || tokens.empty()) {
    reject(path, path + " must be a non-empty array of token ids, got " + echo(tokens));
  }
  for (std::size_t j = 0; j < tokens.size(); ++j) {
    if (!is_token(tokens[j])) {
      const std::string item = at(path, j);
      reject(item, item + " must be a token id (a non-negative integer), got " + echo(tokens[j]));
    }
  }
}

void check_input(const json& input) {
  if (input.is_string()) {
    if (input.get_ref<const std::string&>().empty())
      reject("input", "input must not be an empty string");
    return;
  }
  if (!input.is_array()) {
    reject("input", "input must be a string or an array of strings, got " + echo(input));
  }
  if (input.empty())
    reject("input", "input must contain at least one item");
  if (input.size() > k_max_inputs) {
    reject("input", "input may hold at most " + std::to_string(k_max_inputs) + " items, got " +
                        std::to_string(input.size()));
  }
  const json& first = input.front();
  if (is_token(first)) {
    check_token_array(input, "input");
    return;
  }
  for (std::size_t i = 0; i < input.size(); ++i) {
    const std::string path = at("input", i);
    const json& item = input[i];
    if (first.is_array()) {
      check_token_array(item, path);
    } else if (!item.is_string()) {
      reject(path, path + " must be a string, got " + echo(item));
    } else if (item.get_ref<const std::string&>().empty()) {
      reject(path, path + " must not be an empty string");
    }
  }
}

std::string trimmed_base(const Endpoint& endpoint) {
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base;
}

HttpRequest post_json(std::string url, const json& body, const Endpoint& endpoint) {
  HttpRequest out;
  out.method = "POST";
  out.url = std::move(url);
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", "application/json");
  out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  out.timeouts = endpoint.timeouts;
  return out;
}

bool wants_base64(const json& request) {
  return request.is_object() && request.value("encoding_format", json()) == "base64";
}

// An upstream vector of numbers as doubles; nullopt when it is anything else.
std::optional<std::vector<double>> number_vector(const json& value) {
  if (!value.is_array())
    return std::nullopt;
  std::vector<double> out;
  out.reserve(value.size());
  for (const auto& number : value) {
    if (!number.is_number())
      return std::nullopt;
    out.push_back(number.get<double>());
  }
  return out;
}

// One canonical data item. A float vector is kept as sent (no float32 rounding) unless
// base64 was asked for.
json data_item(std::size_t index, const json& values, bool base64) {
  json embedding = values;
  if (base64) {
    std::vector<double> numbers;
    numbers.reserve(values.size());
    for (const auto& number : values)
      numbers.push_back(number.get<double>());
    embedding = encode_float32_base64(numbers);
  }
  return {{"object", "embedding"}, {"index", index}, {"embedding", std::move(embedding)}};
}

void check_count(std::size_t got, std::size_t expected, const HttpResponse& response,
                 const std::string& provider) {
  if (got != expected) {
    bad_body(
        response, provider,
        "has " + std::to_string(got) + " embeddings for " + std::to_string(expected) + " inputs");
  }
}

// Tokens of a validated request's input: token ids counted, text estimated.
std::size_t input_tokens(const json& request) {
  const json& input = request["input"];
  if (input.is_array() && input.front().is_number())
    return input.size();
  if (input.is_array() && input.front().is_array()) {
    std::size_t tokens = 0;
    for (const auto& item : input)
      tokens += item.size();
    return std::max<std::size_t>(tokens, 1);
  }
  return estimated_tokens(input_texts(Protocol::openai, request));
}

json parse_openai(const HttpResponse& response, const json& request, const std::string& model,
                  const std::string& provider) {
  const json body = parse_object(response, provider);
  const auto data = body.find("data");
  if (data == body.end() || !data->is_array())
    bad_body(response, provider, "not an embeddings list");
  const bool base64 = wants_base64(request);
  json out_data = json::array();
  for (std::size_t i = 0; i < data->size(); ++i) {
    const json& item = (*data)[i];
    // The position stands in for a missing or negative index.
    const std::int64_t given = adapter::int_field(item, "index", -1);
    const std::size_t index = given >= 0 ? static_cast<std::size_t>(given) : i;
    const json embedding = item.is_object() ? item.value("embedding", json()) : json();
    if (embedding.is_string() && base64) {
      out_data.push_back({{"object", "embedding"}, {"index", index}, {"embedding", embedding}});
    } else if (number_vector(embedding)) {
      out_data.push_back(data_item(index, embedding, base64));
    } else {
      bad_body(response, provider, "not an embeddings list (data[" + std::to_string(i) + "])");
    }
  }
  json out = {{"object", "list"},
              {"model", adapter::string_field(body, "model", model)},
              {"data", std::move(out_data)}};
  if (body.contains("usage") && body["usage"].is_object()) {
    out["usage"] = body["usage"];
  } else {
    // A compatible service that reports no usage: estimated (and marked so), never 0.
    const std::size_t tokens = input_tokens(request);
    out["usage"] = {{"prompt_tokens", tokens}, {"total_tokens", tokens}, {"estimated", true}};
  }
  return out;
}

json parse_gemini(const HttpResponse& response, const json& request, const std::string& model,
                  const std::string& provider) {
  const json body = parse_object(response, provider);
  const auto embeddings = body.find("embeddings");
  if (embeddings == body.end() || !embeddings->is_array())
    bad_body(response, provider, "not a batchEmbedContents response");
  check_count(embeddings->size(), input_texts(Protocol::gemini, request).size(), response,
              provider);
  const bool base64 = wants_base64(request);
  json out_data = json::array();
  for (std::size_t i = 0; i < embeddings->size(); ++i) {
    const json& item = (*embeddings)[i];
    const json values = item.is_object() ? item.value("values", json()) : json();
    if (!number_vector(values)) {
      bad_body(response, provider,
               "not a batchEmbedContents response (embeddings[" + std::to_string(i) + "])");
    }
    out_data.push_back(data_item(i, values, base64));
  }
  // Gemini reports no usage for embeddings, so it is estimated (and marked so), never 0.
  const std::size_t tokens = estimated_tokens(input_texts(Protocol::gemini, request));
  return {{"object", "list"},
          {"model", model},
          {"data", std::move(out_data)},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}, {"estimated", true}}}};
}

json parse_ollama(const HttpResponse& response, const json& request, const std::string& model,
                  const std::string& provider) {
  const json body = parse_object(response, provider);
  const auto embeddings = body.find("embeddings");
  if (embeddings == body.end() || !embeddings->is_array())
    bad_body(response, provider, "not an /api/embed response");
  check_count(embeddings->size(), input_texts(Protocol::ollama, request).size(), response,
              provider);
  const bool base64 = wants_base64(request);
  json out_data = json::array();
  for (std::size_t i = 0; i < embeddings->size(); ++i) {
    if (!number_vector((*embeddings)[i])) {
      bad_body(response, provider,
               "not an /api/embed response (embeddings[" + std::to_string(i) + "])");
    }
    out_data.push_back(data_item(i, (*embeddings)[i], base64));
  }
  json out = {{"object", "list"},
              {"model", adapter::string_field(body, "model", model)},
              {"data", std::move(out_data)}};
  const std::int64_t prompt = adapter::int_field(body, "prompt_eval_count", -1);
  if (prompt >= 0) {
    out["usage"] = {{"prompt_tokens", prompt}, {"total_tokens", prompt}};
  } else {
    const std::size_t tokens = estimated_tokens(input_texts(Protocol::ollama, request));
    out["usage"] = {{"prompt_tokens", tokens}, {"total_tokens", tokens}, {"estimated", true}};
  }
  return out;
}

}  // namespace

void validate(const json& request) {
  if (!request.is_object()) {
    reject("", "the request body must be a JSON object, got " + echo(request));
  }
  if (const auto model = request.find("model"); model != request.end()) {
    if (!model->is_string() || model->get_ref<const std::string&>().empty()) {
      reject("model", "model must be a non-empty string, got " + echo(*model));
    }
  }
  const auto input = request.find("input");
  if (input == request.end() || input->is_null())
    reject("input", "input is required");
  check_input(*input);
  if (adapter::present(request, "dimensions")) {
    const json& dimensions = request["dimensions"];
    const bool positive = dimensions.is_number_unsigned() ? dimensions.get<std::uint64_t>() >= 1
                                                          : dimensions.is_number_integer() &&
                                                                dimensions.get<std::int64_t>() >= 1;
    if (!positive) {
      reject("dimensions", "dimensions must be a positive integer, got " + echo(dimensions));
    }
  }
  if (adapter::present(request, "encoding_format")) {
    const json& format = request["encoding_format"];
    if (format != "float" && format != "base64") {
      reject("encoding_format",
             "encoding_format must be \"float\" or \"base64\", got " + echo(format));
    }
  }
}

std::vector<std::string> input_texts(Protocol protocol, const json& request) {
  validate(request);
  const json& input = request["input"];
  if (input.is_string())
    return {input.get<std::string>()};
  if (!input.front().is_string()) {
    reject("input", std::string(to_string(protocol)) +
                        " embeddings take text only; token-id input is for the openai "
                        "protocol");
  }
  std::vector<std::string> texts;
  texts.reserve(input.size());
  for (const auto& item : input)
    texts.push_back(item.get<std::string>());
  return texts;
}

void require_support(Protocol protocol, const std::string& provider) {
  if (protocol != Protocol::anthropic)
    return;
  Error error = make_error(ErrorKind::invalid_request, "anthropic has no embeddings API",
                           "use an embeddings model from another provider, e.g. "
                           "openai/text-embedding-3-small or gemini/gemini-embedding-001");
  error.param = "model";
  error.provider = provider;
  throw GatewayError(std::move(error));
}

HttpRequest build_request(Protocol protocol, const json& request, const std::string& upstream_model,
                          const Endpoint& endpoint) {
  const std::string base = trimmed_base(endpoint);
  switch (protocol) {
    case Protocol::openai: {
      validate(request);
      json body = request;
      body["model"] = upstream_model;
      HttpRequest out =
          post_json(openai_url(endpoint, upstream_model, "embeddings"), body, endpoint);
      add_auth_header(out.headers, endpoint);
      out.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
      return out;
    }
    case Protocol::gemini: {
      const std::vector<std::string> texts = input_texts(protocol, request);
      std::string model = upstream_model;
      if (model.rfind("models/", 0) == 0)
        model.erase(0, 7);
      json requests = json::array();
      for (const auto& text : texts) {
        json item = {{"model", "models/" + model},
                     {"content", {{"parts", json::array({{{"text", text}}})}}}};
        if (adapter::present(request, "dimensions"))
          item["outputDimensionality"] = request["dimensions"];
        requests.push_back(std::move(item));
      }
      HttpRequest out = post_json(base + "/models/" + model + ":batchEmbedContents",
                                  {{"requests", std::move(requests)}}, endpoint);
      // The header, never ?key=: URLs end up in logs.
      if (!endpoint.api_key.empty())
        out.headers.emplace_back("x-goog-api-key", endpoint.api_key);
      out.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
      return out;
    }
    case Protocol::ollama: {
      input_texts(protocol, request);  // rejects token input
      json body = {{"model", upstream_model}, {"input", request["input"]}};
      if (adapter::present(request, "dimensions"))
        body["dimensions"] = request["dimensions"];
      // Ollama's default, sent explicitly so an over-long input is cut rather than failing.
      body["truncate"] = true;
      HttpRequest out = post_json(base + "/api/embed", body, endpoint);
      // Ollama itself takes no key; a proxy or Ollama cloud in front of it takes a bearer.
      if (!endpoint.api_key.empty())
        out.headers.emplace_back("Authorization", "Bearer " + endpoint.api_key);
      out.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
      return out;
    }
    case Protocol::anthropic:
      require_support(protocol, endpoint.provider);
      break;
    case Protocol::mock:
      break;
  }
  fail(ErrorKind::internal, "the mock provider answers embeddings without HTTP (mock_embeddings)");
}

json parse_response(Protocol protocol, const HttpResponse& response, const json& request,
                    const std::string& model, const std::string& provider) {
  if (response.status < 200 || response.status > 299)
    throw GatewayError(map_error(protocol, response, provider));
  switch (protocol) {
    case Protocol::openai:
      return parse_openai(response, request, model, provider);
    case Protocol::gemini:
      return parse_gemini(response, request, model, provider);
    case Protocol::ollama:
      return parse_ollama(response, request, model, provider);
    case Protocol::anthropic:
    case Protocol::mock:
      break;
  }
  fail(ErrorKind::internal, std::string(to_string(protocol)) + " has no embeddings responses");
}

Error map_error(Protocol protocol, const HttpResponse& response, const std::string& provider) {
  switch (protocol) {
    case Protocol::openai:
      return openai::map_error(response, provider);
    case Protocol::gemini:
      return gemini::map_error(response, provider);
    case Protocol::ollama:
      return ollama::map_error(response, provider);
    case Protocol::anthropic:
      return anthropic::map_error(response, provider);
    case Protocol::mock:
      break;
  }
  return upstream_error(response, provider, "");
}

std::string encode_float32_base64(const std::vector<double>& values) {
  std::string bytes;
  bytes.reserve(values.size() * 4);
  for (const double value : values) {
    // Little-endian by construction, whatever the host's byte order.
    const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(value));
    for (int shift = 0; shift < 32; shift += 8)
      bytes += static_cast<char>((bits >> shift) & 0xFF);
  }
  return base64_encode(bytes);
}

}  // namespace llmgw::embeddings
