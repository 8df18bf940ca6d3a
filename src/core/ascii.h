// ASCII case folding for protocol tokens (header names, media types, keywords): no locale
// lookup per character as with std::tolower, and bytes outside A-Z are left as they are.
#pragma once

#include <string>
#include <string_view>

namespace cdp {

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

}  // namespace cdp
