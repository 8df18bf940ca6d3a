// Random identifiers and secrets, and hashing of secrets. Thread-safe (OpenSSL RAND).
#pragma once

#include <string>
#include <string_view>

namespace cdp {

// `bytes` cryptographically random bytes, lower-case hex encoded (2*bytes chars).
std::string RandomHex(size_t bytes);

// SHA-256 of `data`: the 32 raw bytes, or lower-case hex.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);

// Compares in time independent of where the inputs differ (for secrets and their hashes).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace cdp
