#include "core/providers/openai_url.hpp"

#include <algorithm>

namespace llmgw {

namespace {

std::string trimmed_base(const Endpoint& endpoint) {
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base;
}

std::string version_query(const Endpoint& endpoint) {
  return endpoint.api_version.empty() ? std::string() : "?api-version=" + endpoint.api_version;
}

}  // namespace

std::string openai_url(const Endpoint& endpoint, std::string_view model,
                       std::string_view operation) {
  std::string url = trimmed_base(endpoint);
  if (endpoint.url_layout == UrlLayout::azure_deployment) {
    url += "/openai/deployments/";
    url += model;
  }
  url += '/';
  url += operation;
  return url + version_query(endpoint);
}

std::string openai_models_url(const Endpoint& endpoint) {
  std::string url = trimmed_base(endpoint);
  if (endpoint.url_layout == UrlLayout::azure_deployment)
    url += "/openai";
  return url + "/models" + version_query(endpoint);
}

bool is_valid_deployment_name(std::string_view name) {
  constexpr std::size_t k_max_length = 64;
  return !name.empty() && name.size() <= k_max_length &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

}  // namespace llmgw
