// Fuzz target: what the OAuth endpoints read before anyone is authenticated — form bodies
// and query strings (api/web_forms ParseForm), scope lists (auth/scopes ParseScopes) — and the
// HTML escaping of values echoed on the consent page (api/web_forms Html).
//
// Properties: a parsed form, percent-encoded byte by byte, parses back to the same fields; a
// parsed scope list formats to a list that parses to the same set; escaped text holds no
// character that could open a tag or end an attribute.
#include <map>
#include <string>

#include "api/web_forms.h"
#include "auth/scopes.h"
#include "check.h"

namespace {

using cdp::fuzz::Check;

std::string Encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cdp::fuzz::AsText(data, size);

  if (auto form = cdp::api::ParseForm(text)) {
    std::string encoded;
    for (const auto& [key, value] : *form) {
      if (!encoded.empty()) encoded += '&';
      encoded += Encode(key) + "=" + Encode(value);
    }
    auto again = cdp::api::ParseForm(encoded);
    Check(again.has_value(), "a re-encoded form is refused", encoded);
    Check(*again == *form, "a re-encoded form reads back different fields", encoded);
  }

  if (auto scopes = cdp::auth::ParseScopes(text)) {
    const std::string formatted = cdp::auth::FormatScopes(*scopes);
    Check(cdp::auth::ParseScopes(formatted) == scopes, "formatted scopes parse differently",
          formatted);
  }

  const std::string html = cdp::api::Html(text);
  Check(html.find_first_of("<>\"'") == std::string::npos, "escaped HTML keeps a special character",
        html);
  return 0;
}
