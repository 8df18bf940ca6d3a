// Passwords of the dashboard's operators: scrypt (OpenSSL EVP_PBE_scrypt) with a random
// 16-byte salt and a 32-byte key, kept as "scrypt$N$r$p$SALT$HASH" (standard base64), so
// that the cost can be raised later and older hashes still verify. Hashing at the default
// cost takes a few hundred milliseconds and 32 MiB: call it off the network threads.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdp::auth {

struct ScryptCost {
  uint64_t n = uint64_t{1} << 15;
  uint64_t r = 8;
  uint64_t p = 3;
};

// The stored form of `password`; Internal when OpenSSL fails (out of memory).
Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost = {});

// True when `password` is the one `encoded` was made from, at the cost `encoded` names;
// false too for an encoding this code cannot read, or a cost beyond its bounds (N up to 2^20,
// r up to 32, p up to 16). Compares in constant time.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace cdp::auth
