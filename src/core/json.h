// JSON parsing with errors a user can act on. Thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "core/status.h"

namespace cdp {

inline constexpr int kMaxJsonDepth = 32;

// Parses `text` as one JSON document. On failure: InvalidArgument naming the line and
// column where parsing stopped, e.g. "malformed JSON at line 1, column 23: syntax error".
Result<boost::json::value> ParseJson(std::string_view text);

// Number of Unicode code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);

}  // namespace cdp
