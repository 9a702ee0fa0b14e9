#include "core/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "core/providers/chat_protocol.hpp"

namespace {

using llmgw::ErrorKind;
using llmgw::make_error;

// What a daemon does with every Error: write it into a JSON body.
bool writable_as_json(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace

TEST_CASE("make_error keeps valid UTF-8 text as it is", "[error]") {
  const std::string text = "plain, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80, \xEF\xBF\xBF";
  CHECK(make_error(ErrorKind::upstream, text).message == text);
  CHECK(make_error(ErrorKind::upstream, "m", text).fix == text);
}

TEST_CASE("make_error replaces invalid UTF-8 with U+FFFD, one per maximal subpart", "[error]") {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  const auto fixed = [](const std::string& text) {
    return make_error(ErrorKind::upstream, text, text);
  };
  CHECK(fixed("a\xFF-").message == "a" + r + "-");
  CHECK(fixed("\xC0\x80").message == r + r);                  // overlong NUL
  CHECK(fixed("\xE0\x80\x80").message == r + r + r);          // overlong 3-byte form
  CHECK(fixed("\xED\xA0\x80").message == r + r + r);          // a UTF-16 surrogate
  CHECK(fixed("\xF4\x90\x80\x80").message == r + r + r + r);  // above U+10FFFF
  CHECK(fixed("\xE2\x82-").message == r + "-");               // cut 3-byte sequence
  CHECK(fixed("end \xF0\x9F\x98").message == "end " + r);     // cut at the very end
  CHECK(fixed("\x80\xBF").message == r + r);                  // stray continuation bytes
  CHECK(fixed("\xFF").fix == r);
}

// Found by tests/fuzz (every adapter): map_error and stream errors quote raw upstream bytes
// through excerpt(), so a Latin-1 error page made an Error that no JSON body could carry.
TEST_CASE("an upstream error body that is not UTF-8 still gives a UTF-8 Error", "[error]") {
  llmgw::HttpResponse response;
  response.status = 502;
  const std::string latin1_e_acute = "\xE9";
  response.body = "<html>Passerelle d" + latin1_e_acute + "faillante \xFF</html>";
  for (const auto protocol : {llmgw::Protocol::openai, llmgw::Protocol::anthropic,
                              llmgw::Protocol::gemini, llmgw::Protocol::ollama}) {
    const llmgw::Error error = llmgw::chat_protocol(protocol)->map_error(response, "up");
    CAPTURE(error.message);
    CHECK(writable_as_json(error.message));
    CHECK(error.message.find("Passerelle d\uFFFDfaillante") != std::string::npos);
  }
}
