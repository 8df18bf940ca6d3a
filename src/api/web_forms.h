// What the browser-facing endpoints (unsubscribe links, OAuth consent) share: small HTML
// pages and application/x-www-form-urlencoded bodies.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace cdp::api {

// A minimal page; `body_html` is inserted as is, `title` is escaped. Never cached, never
// framed (clickjacking).
http::Response Page(int status, std::string_view title, std::string_view body_html);

// Form fields ('+' is a space, %XX decoded); nullopt on malformed input or a repeated field.
std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body);

// `s` with & < > " ' escaped for HTML text and attribute values.
std::string Html(std::string_view s);

}  // namespace cdp::api
