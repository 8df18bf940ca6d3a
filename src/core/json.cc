#include "core/json.h"

#include <fmt/format.h>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <unordered_set>
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
    frames_.push_back(Frame{keys_.size(), nullptr});
    return true;
  }
  bool on_object_end(size_t n, json::error_code&) {
    keys_.resize(frames_.back().first);
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
    keys_.push_back(std::move(key_));
    key_.clear();
    if (IsDuplicate(frames_.back()))
      return Fail(ec, fmt::format("duplicate key '{}'", keys_.back()));
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

  // A set of positions in keys_, hashed and compared by the key at that position (a
  // position stays valid when keys_ grows; a string_view into it would not).
  struct KeyHash {
    const std::vector<std::string>* keys;
    size_t operator()(size_t i) const { return std::hash<std::string>()((*keys)[i]); }
  };
  struct KeyEq {
    const std::vector<std::string>* keys;
    bool operator()(size_t a, size_t b) const { return (*keys)[a] == (*keys)[b]; }
  };
  using KeyIndex = std::unordered_set<size_t, KeyHash, KeyEq>;
  // An open object: where its keys start in keys_, and their index once it has many.
  struct Frame {
    size_t first;
    std::unique_ptr<KeyIndex> index;
  };
  // Objects up to this many keys are checked by scanning them: no allocation per object on
  // the ingestion path.
  static constexpr size_t kScanKeys = 32;

  // Whether the key just read (keys_.back()) is already a key of the object `f`. Past
  // kScanKeys keys an object's keys are hashed, since scanning costs quadratic time: one
  // 1 MiB body of 96,000 keys held a core for 18 s.
  bool IsDuplicate(Frame& f) {
    const size_t last = keys_.size() - 1;
    if (f.index) return !f.index->insert(last).second;
    for (size_t i = f.first; i < last; ++i)
      if (keys_[i] == keys_[last]) return true;
    if (last + 1 - f.first == kScanKeys) {
      f.index = std::make_unique<KeyIndex>(4 * kScanKeys, KeyHash{&keys_}, KeyEq{&keys_});
      for (size_t i = f.first; i <= last; ++i) f.index->insert(i);
    }
    return false;
  }

  // The keys of every open object, innermost last, in one flat stack.
  std::vector<std::string> keys_;
  std::vector<Frame> frames_;
  std::string key_;     // the key being read
  std::string number_;  // the number being read, when Boost hands it over in parts
};

}  // namespace

Result<boost::json::value> ParseJson(std::string_view text) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  json::basic_parser<StrictHandler> parser(opts);
  // One arena per document: its values are freed together, and a small body costs two
  // allocations instead of one per object, array and long string. The arena lives as long
  // as any value that shares its storage.
  parser.handler().st.reset(json::make_shared_resource<json::monotonic_resource>());
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
