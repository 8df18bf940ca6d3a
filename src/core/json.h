// JSON parsing with errors a user can act on. Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <string_view>

#include "core/status.h"

namespace cdp {

inline constexpr int kMaxJsonDepth = 32;

// Parses `text` as one JSON document. On failure: InvalidArgument naming the line and
// column where parsing stopped, e.g. "malformed JSON at line 1, column 23: syntax error".
Result<boost::json::value> ParseJson(std::string_view text);

// InvalidArgument naming the first key of `body` not in `allowed`, and the allowed ones.
Status OnlyKeys(const boost::json::object& body, std::initializer_list<std::string_view> allowed);

// Number of Unicode code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);

}  // namespace cdp
