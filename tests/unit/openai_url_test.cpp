#include "core/providers/openai_url.hpp"

#include <catch2/catch.hpp>

using namespace llmgw;

namespace {

Endpoint endpoint(std::string base, UrlLayout layout = UrlLayout::plain, std::string version = {}) {
  return Endpoint{"p", std::move(base), "k", AuthStyle::bearer, {}, layout, std::move(version)};
}

}  // namespace

TEST_CASE("plain OpenAI URLs append the operation to the base URL", "[openai_url]") {
  CHECK(openai_url(endpoint("https://api.openai.com/v1"), "gpt-4o", "chat/completions") ==
        "https://api.openai.com/v1/chat/completions");
  CHECK(openai_url(endpoint("http://127.0.0.1:9/v1//"), "m", "embeddings") ==
        "http://127.0.0.1:9/v1/embeddings");
  CHECK(openai_models_url(endpoint("https://openrouter.ai/api/v1")) ==
        "https://openrouter.ai/api/v1/models");
}

TEST_CASE("Azure's v1 API is plain, with an api-version only when one is set", "[openai_url]") {
  const Endpoint v1 = endpoint("https://res.openai.azure.com/openai/v1");
  CHECK(openai_url(v1, "my-dep", "chat/completions") ==
        "https://res.openai.azure.com/openai/v1/chat/completions");
  const Endpoint preview =
      endpoint("https://res.openai.azure.com/openai/v1", UrlLayout::plain, "preview");
  CHECK(openai_url(preview, "my-dep", "chat/completions") ==
        "https://res.openai.azure.com/openai/v1/chat/completions?api-version=preview");
}

TEST_CASE("Azure's dated API names the deployment and the api-version", "[openai_url]") {
  const Endpoint dated =
      endpoint("https://res.openai.azure.com/", UrlLayout::azure_deployment, "2024-10-21");
  CHECK(openai_url(dated, "gpt4o-prod", "chat/completions") ==
        "https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions"
        "?api-version=2024-10-21");
  CHECK(openai_url(dated, "embed-small", "embeddings") ==
        "https://res.openai.azure.com/openai/deployments/embed-small/embeddings"
        "?api-version=2024-10-21");
  CHECK(openai_models_url(dated) ==
        "https://res.openai.azure.com/openai/models?api-version=2024-10-21");
}

TEST_CASE("deployment names are the characters Azure allows, never URL syntax", "[openai_url]") {
  CHECK(is_valid_deployment_name("gpt-4o"));
  CHECK(is_valid_deployment_name("My_Deployment.2"));
  CHECK(is_valid_deployment_name(std::string(64, 'a')));
  CHECK_FALSE(is_valid_deployment_name(""));
  CHECK_FALSE(is_valid_deployment_name(std::string(65, 'a')));
  CHECK_FALSE(is_valid_deployment_name("a/b"));
  CHECK_FALSE(is_valid_deployment_name("a?api-version=x"));
  CHECK_FALSE(is_valid_deployment_name("a b"));
  CHECK_FALSE(is_valid_deployment_name("../x"));
}
