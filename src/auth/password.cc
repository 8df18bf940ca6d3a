#include "auth/password.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <optional>
#include <vector>

#include "core/base64.h"

namespace cdp::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;

// What scrypt needs (128 r N bytes for V, 256 r for its blocks, 128 r p for B) plus room.
uint64_t MaxMem(const ScryptCost& c) { return 128 * c.r * c.n + 128 * c.r * (c.p + 2) + (1 << 20); }

std::optional<std::string> Derive(std::string_view password, std::string_view salt,
                                  const ScryptCost& c) {
  std::string key(kKeyBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), c.n, c.r,
                     c.p, MaxMem(c), reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1)
    return std::nullopt;
  return key;
}

std::optional<uint64_t> Number(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    return Internal("cannot make a random salt");
  auto key = Derive(password, salt, cost);
  if (!key) return Internal("cannot hash the password (scrypt failed)");
  return fmt::format("scrypt${}${}${}${}${}", cost.n, cost.r, cost.p, Base64(salt), Base64(*key));
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  const auto parts = Split(encoded, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  const auto n = Number(parts[1]), r = Number(parts[2]), p = Number(parts[3]);
  if (!n || !r || !p || *n < 2 || *n > (uint64_t{1} << 20) || (*n & (*n - 1)) != 0 || *r < 1 ||
      *r > 32 || *p < 1 || *p > 16)
    return false;
  const auto salt = FromBase64(parts[4]);
  const auto want = FromBase64(parts[5]);
  if (!salt || !want || want->size() != kKeyBytes) return false;
  auto key = Derive(password, *salt, ScryptCost{*n, *r, *p});
  return key && CRYPTO_memcmp(key->data(), want->data(), kKeyBytes) == 0;
}

}  // namespace cdp::auth
