// URLs of the OpenAI protocol's operations, for OpenAI itself, the compatible services
// and Azure OpenAI's two API styles (wire-formats §2.1):
//   plain:            {base_url}/{operation}[?api-version={v}]
//                     (OpenAI, OpenRouter, …, and Azure's v1 API at …/openai/v1)
//   azure_deployment: {base_url}/openai/deployments/{model}/{operation}?api-version={v}
//                     (Azure's dated API: the deployment name is the model)
#pragma once

#include <string>
#include <string_view>

#include "core/providers/endpoint.hpp"

namespace llmgw {

// `operation` is e.g. "chat/completions", "embeddings", "images/generations". `model` is
// the upstream model (the Azure deployment name), which routing has checked to be a
// valid deployment name for the azure_deployment layout.
std::string openai_url(const Endpoint& endpoint, std::string_view model,
                       std::string_view operation);

// The model list: {base_url}/models, or Azure's {base_url}/openai/models?api-version={v}
// (the base models the resource offers; deployments are listed by Azure's management API).
std::string openai_models_url(const Endpoint& endpoint);

// True when `name` can be an Azure deployment name: 1–64 of [A-Za-z0-9._-]. Anything
// else would have to be escaped in the URL path, and Azure does not allow it anyway.
bool is_valid_deployment_name(std::string_view name);

}  // namespace llmgw
