#include "core/base64.h"

#include <openssl/evp.h>

#include <cctype>

namespace cdp {

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Base64Url(std::string_view data) {
  std::string out = Base64(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

namespace {

// Decodes standard base64 whose length is a multiple of 4 and whose `pad` trailing
// characters are '='.
std::optional<std::string> Decode(std::string_view padded, size_t pad) {
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;            // a character outside the alphabet
  out.resize(static_cast<size_t>(n) - pad);  // EVP_DecodeBlock counts padding as zero bytes
  return out;
}

}  // namespace

std::optional<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  for (size_t i = 0; i < text.size() - pad; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // EVP_DecodeBlock would skip blanks and accept '=' anywhere.
    if (!std::isalnum(c) && c != '+' && c != '/') return std::nullopt;
  }
  return Decode(text, pad);
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string padded(text);
  for (char& c : padded) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!std::isalnum(static_cast<unsigned char>(c))) {
      return std::nullopt;  // EVP_DecodeBlock would skip blanks and accept '+', '/', '='
    }
  }
  const size_t pad = (4 - padded.size() % 4) % 4;
  padded.append(pad, '=');
  return Decode(padded, pad);
}

}  // namespace cdp
