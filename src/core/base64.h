// Base64 (RFC 4648 §4) and its URL- and filename-safe form (§5, unpadded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cdp {

std::string Base64(std::string_view data);
// nullopt unless `text` is padded standard base64 (as in HTTP Basic credentials).
std::optional<std::string> FromBase64(std::string_view text);
// '-' and '_' for '+' and '/', no '=' padding: safe in a URL path segment as is.
std::string Base64Url(std::string_view data);
// nullopt unless `text` is unpadded base64url.
std::optional<std::string> FromBase64Url(std::string_view text);

}  // namespace cdp
