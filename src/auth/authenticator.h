// Authenticator: checks the x-brand-id / x-api-key pair of a request.
//
// Key hashes are cached per brand for `cache_ttl` so that the hot path does not touch
// storage; rotation and revocation by an admin command (another process) therefore take
// effect within cache_ttl. Hashes are compared in constant time. Each key's last use is
// remembered in memory and written by FlushUsage at most once a minute per key. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/scopes.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/brand_store.h"

namespace cdp::auth {

// How stale a key's recorded last use may be.
inline constexpr int64_t kUsageResolutionMicros = 60'000'000;

class Authenticator {
 public:
  Authenticator(store::BrandStore& store, const Clock& clock,
                std::chrono::milliseconds cache_ttl = std::chrono::milliseconds(1000));

  // The brand with every scope when `api_key` is a key of `brand_id` active now (a rotated
  // key still in its grace period is); Unauthenticated ("Invalid auth") otherwise, including
  // for unknown brands. Unavailable if storage cannot be read.
  Result<Principal> Authenticate(std::string_view brand_id, std::string_view api_key);

  // Writes the last-use times gathered since the previous call. Call periodically and at
  // shutdown.
  Status FlushUsage();

 private:
  struct Key {
    std::string hash;
    std::string prefix;
    std::optional<int64_t> revoked_at;
  };
  struct Entry {
    std::vector<Key> keys;
    int64_t fetched_at = 0;
  };
  Result<Principal> Match(std::string_view brand_id, const std::vector<Key>& keys,
                          const std::string& presented, int64_t now);

  store::BrandStore& store_;
  const Clock& clock_;
  int64_t ttl_micros_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
  std::unordered_map<std::string, int64_t> recorded_use_;  // by hash: last use written
  std::unordered_map<std::string, int64_t> pending_use_;   // by hash: to write
};

}  // namespace cdp::auth
