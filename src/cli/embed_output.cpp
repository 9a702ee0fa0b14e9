#include "cli/embed_output.hpp"

#include "core/error.hpp"

namespace llmgw::cli {

namespace {

using nlohmann::json;

[[noreturn]] void fail_shape(std::size_t index, const char* expected) {
  fail(ErrorKind::upstream,
       "embedding " + std::to_string(index) + " in the answer is not " + expected);
}

std::int64_t count_of(const json& usage, const char* name) {
  const auto it = usage.find(name);
  return it != usage.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::optional<EmbedFormat> parse_embed_format(std::string_view name) {
  if (name == "json")
    return EmbedFormat::json;
  if (name == "ndjson")
    return EmbedFormat::ndjson;
  if (name == "floats")
    return EmbedFormat::floats;
  if (name == "base64")
    return EmbedFormat::base64;
  return std::nullopt;
}

std::string embedding_line(EmbedFormat format, std::size_t index, const json& embedding) {
  switch (format) {
    case EmbedFormat::base64:
      if (!embedding.is_string())
        fail_shape(index, "a base64 string");
      return embedding.get_ref<const std::string&>() + "\n";
    case EmbedFormat::floats: {
      if (!embedding.is_array())
        fail_shape(index, "an array of numbers");
      std::string line;
      for (const json& value : embedding) {
        if (!value.is_number())
          fail_shape(index, "an array of numbers");
        if (!line.empty())
          line += ' ';
        line += value.dump();
      }
      return line + "\n";
    }
    case EmbedFormat::ndjson:
      if (!embedding.is_array())
        fail_shape(index, "an array of numbers");
      return json{{"index", index}, {"embedding", embedding}}.dump() + "\n";
    case EmbedFormat::json:
      break;
  }
  fail(ErrorKind::internal, "the json format prints the whole list at the end");
}

void EmbeddingList::add(const json& response, const std::vector<json>& embeddings) {
  for (const json& embedding : embeddings)
    m_data.push_back({{"object", "embedding"}, {"index", m_data.size()}, {"embedding", embedding}});
  if (const auto model = response.find("model"); model != response.end() && model->is_string())
    m_model = model->get<std::string>();
  if (const auto usage = response.find("usage"); usage != response.end() && usage->is_object()) {
    m_prompt_tokens += count_of(*usage, "prompt_tokens");
    m_total_tokens += count_of(*usage, "total_tokens");
    const auto estimated = usage->find("estimated");
    m_estimated = m_estimated ||
                  (estimated != usage->end() && estimated->is_boolean() && estimated->get<bool>());
  }
}

json EmbeddingList::result() const {
  json usage = {{"prompt_tokens", m_prompt_tokens}, {"total_tokens", m_total_tokens}};
  if (m_estimated)
    usage["estimated"] = true;
  return {{"object", "list"}, {"model", m_model}, {"data", m_data}, {"usage", std::move(usage)}};
}

}  // namespace llmgw::cli
