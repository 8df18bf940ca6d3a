#include "core/json.h"

#include <fmt/format.h>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace cdp {

namespace {

namespace json = boost::json;

// Builds values like Boost.JSON's own parser (value_stack), and refuses what that parser
// lets through but a request must not carry: a key twice in one object (which value did the
// client mean?), NUL characters (they truncate in C APIs and logs), and numbers too large
// for a double (1e400 would become infinity). Reads every non-integer number as the double
// nearest to its text, which Boost.JSON 1.81 does not (see on_double).
class StrictHandler {
 public:
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string problem;  // why the handler stopped the parse

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    frames_.push_back(keys_.size());
    return true;
  }
  bool on_object_end(size_t n, json::error_code&) {
    keys_.resize(frames_.back());
    frames_.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, json::error_code& ec) {
    if (!Clean(s, ec)) return false;
    key_.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code& ec) {
    if (!Clean(s, ec)) return false;
    key_.append(s.data(), s.size());
    for (size_t i = frames_.back(); i < keys_.size(); ++i)
      if (keys_[i] == key_) return Fail(ec, fmt::format("duplicate key '{}'", key_));
    keys_.push_back(std::move(key_));
    key_.clear();
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, size_t, json::error_code& ec) {
    if (!Clean(s, ec)) return false;
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code& ec) {
    if (!Clean(s, ec)) return false;
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, json::string_view, json::error_code&) {
    number_.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, json::error_code&) {
    number_.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, json::error_code& ec) {
    // Boost.JSON 1.81 reads many numbers of 10 or more significant digits as a neighbouring
    // double: one JavaScript Math.random() value in ten, a quarter of random doubles, each
    // printed in its shortest form. The stored value was then not the one sent, and drifted
    // further each time a client sent back what the API printed. std::from_chars rounds
    // correctly; it reports overflow and underflow as out of range, which leaves Boost's
    // infinity (refused below) or zero.
    number_.append(s.data(), s.size());
    double exact = 0;
    const char* end = number_.data() + number_.size();
    if (auto [p, e] = std::from_chars(number_.data(), end, exact); e == std::errc() && p == end)
      d = exact;
    number_.clear();
    if (!std::isfinite(d)) return Fail(ec, "a number is too large");
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  bool Fail(json::error_code& ec, std::string why) {
    problem = std::move(why);
    ec = json::error::syntax;
    return false;
  }
  bool Clean(json::string_view s, json::error_code& ec) {
    if (s.find('\0') == json::string_view::npos) return true;
    return Fail(ec, "strings may not contain NUL (\\u0000)");
  }

  // The keys of every open object, innermost last; frames_ holds where each object's start.
  // One flat stack: no allocation per object on the ingestion path.
  std::vector<std::string> keys_;
  std::vector<size_t> frames_;
  std::string key_;     // the key being read
  std::string number_;  // the number being read, when Boost hands it over in parts
};

}  // namespace

Result<boost::json::value> ParseJson(std::string_view text) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  json::basic_parser<StrictHandler> parser(opts);
  parser.handler().st.reset();
  boost::system::error_code ec;
  const size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (ec) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    if (text.empty()) return InvalidArgument("request body is empty; expected a JSON object");
    const std::string& problem = parser.handler().problem;
    return InvalidArgument(fmt::format("malformed JSON at line {}, column {}: {}", line, column,
                                       problem.empty() ? ec.message() : problem));
  }
  return parser.handler().st.release();
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Status OnlyKeys(const boost::json::object& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, _] : body) {
    bool ok = false;
    for (auto a : allowed) ok = ok || k == a;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return InvalidArgument(
          fmt::format("unknown field '{}'; this call takes {}", std::string_view(k), list));
    }
  }
  return Status::Ok();
}

}  // namespace cdp
