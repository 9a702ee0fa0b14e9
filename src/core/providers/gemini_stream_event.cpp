#include "core/providers/gemini_stream_event.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/providers/gemini_internal.hpp"

namespace llmgw::gemini {

using namespace detail;

namespace {

// Scalar members kept, nested ones nulled (see StreamEvent::usage_metadata).
json scalar_members(const json& object) {
  json out = json::object();
  for (const auto& [key, value] : object.items())
    out[key] = value.is_structured() ? json() : value;
  return out;
}

// ---- the plain reader -------------------------------------------------------------------

// The object or array the reader is in.
enum class Frame : std::uint8_t { top, candidates, candidate, content, parts, part, usage };

// What the value after the last key means.
enum class Field : std::uint8_t {
  ignored,  // a member the DOM reader does not read either: skipped whole
  candidates,
  usage,
  response_id,
  model_version,
  content,
  finish_reason,
  index,
  parts,
  text,
  thought,
  usage_member,
};

// A nlohmann::json SAX handler (see json::sax_parse) filling a StreamEvent. Every callback
// returns false to stop the parse as soon as the event is not of the plain shape.
class PlainEventReader {
 public:
  explicit PlainEventReader(StreamEvent& out) : m_out(out) {}

  bool complete() const { return m_started && m_depth == 0; }

  bool null() {
    if (m_skip > 0)
      return true;
    return member_scalar() && store_usage(json());
  }

  bool boolean(bool value) {
    if (m_skip > 0)
      return true;
    if (!member_scalar())
      return false;
    if (m_field == Field::thought) {
      m_part_thought = value;
      return true;
    }
    return store_usage(value);
  }

  bool number_integer(std::int64_t value) { return number(value); }
  bool number_unsigned(std::uint64_t value) { return number(value); }

  bool number_float(double value, const std::string& /*text*/) {
    if (m_skip > 0)
      return true;
    return member_scalar() && store_usage(value);
  }

  bool string(std::string& value) {
    if (m_skip > 0)
      return true;
    if (!member_scalar())
      return false;
    switch (m_field) {
      case Field::response_id:
        m_out.response_id = value;
        return true;
      case Field::model_version:
        m_out.model_version = value;
        return true;
      case Field::finish_reason:
        m_out.candidates.back().finish_reason = value;
        return true;
      case Field::text:
        m_part_text.assign(value);
        m_part_has_text = true;
        return true;
      default:
        return store_usage(value);
    }
  }

  bool binary(json::binary_t& /*value*/) { return false; }

  bool start_object(std::size_t /*elements*/) {
    if (m_skip > 0) {
      ++m_skip;
      return true;
    }
    if (m_depth == 0) {
      m_started = true;
      return push(Frame::top);
    }
    if (frame() == Frame::candidates) {
      StreamCandidate& candidate = m_out.candidates.emplace_back();
      candidate.index = m_out.candidates.size() - 1;
      return push(Frame::candidate);
    }
    if (frame() == Frame::parts) {
      m_part_text.clear();
      m_part_has_text = false;
      m_part_thought = false;
      return push(Frame::part);
    }
    switch (m_field) {
      case Field::usage:
        m_out.usage_metadata = json::object();
        return push(Frame::usage);
      case Field::content:
        return push(Frame::content);
      default:
        return skip_nested();
    }
  }

  bool start_array(std::size_t /*elements*/) {
    if (m_skip > 0) {
      ++m_skip;
      return true;
    }
    // A whole array payload, or an array inside candidates/parts: not plain.
    if (m_depth == 0 || frame() == Frame::candidates || frame() == Frame::parts)
      return false;
    switch (m_field) {
      case Field::candidates:
        return push(Frame::candidates);
      case Field::parts:
        return push(Frame::parts);
      default:
        return skip_nested();
    }
  }

  bool end_object() { return end(); }
  bool end_array() { return end(); }

  bool key(std::string& name) {
    if (m_skip > 0)
      return true;
    std::uint8_t bit = 0;
    m_field = Field::ignored;
    switch (frame()) {
      case Frame::top:
        if (name == "candidates") {
          m_field = Field::candidates;
          bit = 1;
        } else if (name == "usageMetadata") {
          m_field = Field::usage;
          bit = 2;
        } else if (name == "responseId") {
          m_field = Field::response_id;
          bit = 4;
        } else if (name == "modelVersion") {
          m_field = Field::model_version;
          bit = 8;
        } else if (name == "error" || name == "promptFeedback") {
          return false;
        }
        break;
      case Frame::candidate:
        if (name == "content") {
          m_field = Field::content;
          bit = 1;
        } else if (name == "finishReason") {
          m_field = Field::finish_reason;
          bit = 2;
        } else if (name == "index") {
          m_field = Field::index;
          bit = 4;
        }
        break;
      case Frame::content:
        if (name == "parts") {
          m_field = Field::parts;
          bit = 1;
        }
        break;
      case Frame::part:
        if (name == "text") {
          m_field = Field::text;
          bit = 1;
        } else if (name == "thought") {
          m_field = Field::thought;
          bit = 2;
        } else if (name == "functionCall") {
          return false;
        }
        break;
      case Frame::usage:
        m_field = Field::usage_member;
        m_usage_key.assign(name);
        return true;
      case Frame::candidates:
      case Frame::parts:
        return false;  // keys only come inside objects
    }
    // The DOM keeps the last of repeated keys; rather than mirror that, decline.
    std::uint8_t& seen = m_seen[m_depth - 1];
    if ((seen & bit) != 0)
      return false;
    seen |= bit;
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  // Deep enough for top → candidates → candidate → content → parts → part.
  static constexpr std::size_t k_max_depth = 8;

  Frame frame() const { return m_frames[m_depth - 1]; }

  bool push(Frame frame) {
    if (m_depth == k_max_depth)
      return false;
    m_frames[m_depth] = frame;
    m_seen[m_depth] = 0;
    ++m_depth;
    return true;
  }

  bool end() {
    if (m_skip > 0) {
      --m_skip;
      return true;
    }
    const Frame closed = frame();
    --m_depth;
    if (closed == Frame::part && m_part_has_text && !m_part_thought)
      m_out.candidates.back().text += m_part_text;
    return true;
  }

  // A container as the value of m_field: skipped when the member is not read; recorded
  // as null in usage; anything else read here is of the wrong type.
  bool skip_nested() {
    if (m_field == Field::usage_member)
      (*m_out.usage_metadata)[m_usage_key] = nullptr;
    else if (m_field != Field::ignored)
      return false;
    m_skip = 1;
    return true;
  }

  // A scalar may only come as the value of an object member.
  bool member_scalar() const {
    return m_depth > 0 && frame() != Frame::candidates && frame() != Frame::parts;
  }

  // A scalar for m_field when it is neither a string field nor thought nor index.
  bool store_usage(json value) {
    if (m_field == Field::ignored)
      return true;
    if (m_field != Field::usage_member)
      return false;
    (*m_out.usage_metadata)[m_usage_key] = std::move(value);
    return true;
  }

  template <class Integer>
  bool number(Integer value) {
    if (m_skip > 0)
      return true;
    if (!member_scalar())
      return false;
    if (m_field == Field::index) {
      m_out.candidates.back().index = value;
      return true;
    }
    return store_usage(value);
  }

  StreamEvent& m_out;
  std::array<Frame, k_max_depth> m_frames{};
  std::array<std::uint8_t, k_max_depth> m_seen{};  // bits of the keys read in each frame
  std::size_t m_depth = 0;
  std::size_t m_skip = 0;  // > 0 while inside a skipped value: its nesting depth
  bool m_started = false;
  Field m_field = Field::ignored;
  std::string m_usage_key;
  // The part being read: its text is added to the candidate when the part ends, once it
  // is known not to be a thought (the keys may come in any order).
  std::string m_part_text;
  bool m_part_has_text = false;
  bool m_part_thought = false;
};

void clear(StreamEvent& out) {
  out.response_id.clear();
  out.model_version.clear();
  out.usage_metadata.reset();
  out.candidates_listed = false;
  out.candidates.clear();
  out.block_reason.clear();
}

}  // namespace

void read_stream_event(const json& response, StreamEvent& out) {
  clear(out);
  out.response_id = adapter::text_member(response, "responseId");
  out.model_version = adapter::text_member(response, "modelVersion");
  if (const json* usage = member(response, "usageMetadata"); usage != nullptr && usage->is_object())
    out.usage_metadata = scalar_members(*usage);
  out.block_reason = block_reason(response);
  const json* candidates = member(response, "candidates");
  if (candidates == nullptr || !candidates->is_array())
    return;
  out.candidates_listed = !candidates->empty();
  for (std::size_t i = 0; i < candidates->size(); ++i) {
    const json& candidate = (*candidates)[i];
    if (!candidate.is_object())
      continue;
    StreamCandidate& read = out.candidates.emplace_back();
    const json* index = member(candidate, "index");
    read.index = index != nullptr ? *index : json(i);
    for (const auto& part : candidate_parts(candidate)) {
      if (is_visible_text(part))
        read.text += part["text"].get_ref<const std::string&>();
      else if (is_function_call(part))
        read.call_parts.push_back(part);
    }
    if (const json* reason = member(candidate, "finishReason");
        reason != nullptr && reason->is_string())
      read.finish_reason = reason->get<std::string>();
  }
}

bool read_plain_stream_event(std::string_view text, StreamEvent& out) {
  clear(out);
  PlainEventReader reader(out);
  const bool parsed = json::sax_parse(text.begin(), text.end(), &reader);
  if (!parsed || !reader.complete())
    return false;
  out.candidates_listed = !out.candidates.empty();
  return true;
}

}  // namespace llmgw::gemini
