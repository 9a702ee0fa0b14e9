#include "cli/chat_answer.hpp"

#include "cli/report.hpp"

namespace llmgw::cli {

namespace {

// Writes text as it comes and remembers whether the line is open, so an interrupted or
// failed stream still leaves the terminal on a fresh line.
class TextWriter {
 public:
  explicit TextWriter(std::ostream& out) : m_out(out) {}
  void write(std::string_view text) {
    if (text.empty())
      return;
    m_out << text;
    m_out.flush();
    m_line_open = text.back() != '\n';
  }
  void end_line() {
    if (m_line_open)
      m_out << '\n';
    m_line_open = false;
    m_out.flush();
  }

 private:
  std::ostream& m_out;
  bool m_line_open = false;
};

}  // namespace

std::string text_of(const nlohmann::json& response) {
  const auto& choices = response.value("choices", nlohmann::json::array());
  if (choices.empty())
    return {};
  const auto& message = choices[0].value("message", nlohmann::json::object());
  if (message.contains("content") && message["content"].is_string())
    return message["content"];
  if (message.contains("refusal") && message["refusal"].is_string())
    return message["refusal"];
  return {};
}

ChatResult show_answer(Gateway& gateway, const ChatCall& call, std::ostream& out, bool stream,
                       ShownAnswer& shown) {
  TextWriter writer(out);
  ChatResult result;
  try {
    if (!stream) {
      result = gateway.chat(call);
      shown.text = text_of(result.response);
      writer.write(shown.text);
    } else {
      ChatCall streamed = call;
      streamed.on_stream_start = [&](const Route& route, bool) {
        shown.model = route.provider.name + "/" + route.model;
      };
      result = gateway.chat_stream(streamed, [&](const nlohmann::json& chunk) {
        const auto& choices = chunk["choices"];
        if (!choices.is_array() || choices.empty())
          return;
        const auto& delta = choices[0].value("delta", nlohmann::json::object());
        for (const char* field : {"content", "refusal"}) {
          if (delta.contains(field) && delta[field].is_string()) {
            const auto& text = delta[field].get_ref<const std::string&>();
            writer.write(text);
            shown.text += text;
          }
        }
      });
    }
  } catch (const GatewayError&) {
    writer.end_line();  // keep what was printed; the error is reported below it
    throw;
  }
  writer.end_line();
  return result;
}

void warn_refused_keys(const Io& io, const std::vector<AttemptRecord>& attempts) {
  for (const AttemptRecord& attempt : attempts) {
    if (!attempt.error || attempt.error->kind != ErrorKind::upstream)
      continue;
    const int status = attempt.error->http_status;
    if (status == 401 || status == 403) {
      print_warning(io, attempt.provider + " refused key " + attempt.key_hint + " (HTTP " +
                            std::to_string(status) + "); another key answered. Check it with " +
                            "`llmgw keys list`, replace it with `llmgw keys set " +
                            attempt.provider + "`");
    }
  }
}

}  // namespace llmgw::cli
