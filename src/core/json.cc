#include "core/json.h"

#include <fmt/format.h>

#include <boost/json/parse_options.hpp>
#include <boost/json/stream_parser.hpp>

namespace cdp {

Result<boost::json::value> ParseJson(std::string_view text) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::json::stream_parser parser({}, opts);
  boost::system::error_code ec;
  size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
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
    return InvalidArgument(
        fmt::format("malformed JSON at line {}, column {}: {}", line, column, ec.message()));
  }
  return parser.release();
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
