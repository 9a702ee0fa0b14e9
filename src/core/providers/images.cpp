#include "core/providers/images.hpp"

#include <string_view>
#include <utility>

#include "core/providers/adapter_util.hpp"
#include "core/providers/auth_header.hpp"
#include "core/providers/chat_protocol.hpp"
#include "core/providers/json_reply.hpp"
#include "core/providers/openai_url.hpp"
#include "core/providers/upstream_error.hpp"
#include "core/request_errors.hpp"

namespace llmgw::images {

using request_errors::echo;
using request_errors::reject;

namespace {

using nlohmann::json;

bool is_whole_number(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.front() == '0')
    return false;
  for (const char c : text) {
    if (c < '0' || c > '9')
      return false;
  }
  return true;
}

// "auto" or WxH with positive integers of at most 5 digits (no image is 100000 wide).
bool is_size(const json& size) {
  if (!size.is_string())
    return false;
  const std::string_view text = size.get_ref<const std::string&>();
  if (text == "auto")
    return true;
  const auto x = text.find('x');
  return x != std::string_view::npos && is_whole_number(text.substr(0, x)) &&
         is_whole_number(text.substr(x + 1));
}

void check_n(const json& n) {
  // is_number_integer() covers unsigned too; one above INT64_MAX reads as negative.
  const bool in_range =
      n.is_number_integer() && n.get<std::int64_t>() >= 1 && n.get<std::int64_t>() <= k_max_images;
  if (!in_range) {
    reject("n",
           "n must be an integer from 1 to " + std::to_string(k_max_images) + ", got " + echo(n));
  }
}

void check_item(const json& item, std::size_t index, const HttpResponse& response,
                const std::string& provider) {
  const bool has_image =
      item.is_object() && ((item.contains("url") && item["url"].is_string()) ||
                           (item.contains("b64_json") && item["b64_json"].is_string()));
  if (!has_image) {
    json_reply::bad_body(response, provider,
                         "not an images response (data[" + std::to_string(index) +
                             "] has no \"url\" or \"b64_json\")");
  }
}

}  // namespace

void validate(const json& request) {
  if (!request.is_object())
    reject("", "the request body must be a JSON object, got " + echo(request));
  const auto prompt = request.find("prompt");
  if (prompt == request.end() || prompt->is_null())
    reject("prompt", "prompt is required");
  if (!prompt->is_string())
    reject("prompt", "prompt must be a string, got " + echo(*prompt));
  if (prompt->get_ref<const std::string&>().empty())
    reject("prompt", "prompt must not be an empty string");
  if (const auto model = request.find("model"); model != request.end()) {
    if (!model->is_string() || model->get_ref<const std::string&>().empty())
      reject("model", "model must be a non-empty string, got " + echo(*model));
  }
  if (adapter::present(request, "n"))
    check_n(request["n"]);
  if (adapter::present(request, "size") && !is_size(request["size"])) {
    reject("size", "size must be \"auto\" or <width>x<height>, e.g. \"1024x1024\", got " +
                       echo(request["size"]));
  }
  if (adapter::present(request, "quality")) {
    const json& quality = request["quality"];
    if (!quality.is_string() || quality.get_ref<const std::string&>().empty())
      reject("quality", "quality must be a non-empty string, got " + echo(quality));
  }
  if (adapter::present(request, "response_format")) {
    const json& format = request["response_format"];
    if (format != "url" && format != "b64_json") {
      reject("response_format",
             "response_format must be \"url\" or \"b64_json\", got " + echo(format));
    }
  }
  if (adapter::present(request, "stream") && request["stream"] != false) {
    reject("stream", "streamed image generation is not supported; leave stream out, got " +
                         echo(request["stream"]));
  }
}

void require_support(Protocol protocol, const std::string& provider) {
  if (protocol == Protocol::openai || protocol == Protocol::mock)
    return;
  Error error = make_error(ErrorKind::invalid_request,
                           std::string(to_string(protocol)) + " has no image generation API here",
                           "use an image model of the openai protocol, e.g. openai/gpt-image-1 "
                           "or openai/dall-e-3 (or mock/image offline)");
  error.param = "model";
  error.provider = provider;
  throw GatewayError(std::move(error));
}

HttpRequest build_request(Protocol protocol, const json& request, const std::string& upstream_model,
                          const Endpoint& endpoint) {
  require_support(protocol, endpoint.provider);
  if (protocol == Protocol::mock)
    fail(ErrorKind::internal, "the mock provider answers images without HTTP (mock_images)");
  validate(request);
  json body = request;
  body["model"] = upstream_model;
  HttpRequest out;
  out.method = "POST";
  out.url = openai_url(endpoint, upstream_model, "images/generations");
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", "application/json");
  add_auth_header(out.headers, endpoint);
  out.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
  out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  out.timeouts = endpoint.timeouts;
  return out;
}

json parse_response(Protocol protocol, const HttpResponse& response, std::int64_t created,
                    const std::string& provider) {
  if (response.status < 200 || response.status > 299)
    throw GatewayError(map_error(protocol, response, provider));
  if (protocol != Protocol::openai)
    fail(ErrorKind::internal, std::string(to_string(protocol)) + " has no images responses");
  json body = json_reply::parse_object(response, provider);
  const auto data = body.find("data");
  if (data == body.end() || !data->is_array())
    json_reply::bad_body(response, provider, "not an images response");
  for (std::size_t i = 0; i < data->size(); ++i)
    check_item((*data)[i], i, response, provider);
  if (!body["created"].is_number_integer())
    body["created"] = created;
  return body;
}

Error map_error(Protocol protocol, const HttpResponse& response, const std::string& provider) {
  if (const ChatProtocol* chat = chat_protocol(protocol))
    return chat->map_error(response, provider);
  return upstream_error(response, provider, "");
}

}  // namespace llmgw::images
