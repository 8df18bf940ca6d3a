// API keys: generation and hashing. A key is "cdp_" + 48 hex digits (192 random bits); the
// store keeps only its SHA-256 and its first 12 characters (the prefix operators use to
// name it). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/brand_store.h"

namespace cdp::auth {

inline constexpr size_t kKeyPrefixChars = 12;

struct IssuedKey {
  std::string secret;    // shown to the operator once, never stored
  store::ApiKey record;  // what the store keeps
};

IssuedKey IssueKey(std::string_view brand_id, int64_t now);

// A new random brand id (16 hex digits).
std::string NewBrandId();

// The stored form of a presented key.
std::string HashKey(std::string_view secret);

}  // namespace cdp::auth
