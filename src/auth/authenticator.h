// Authenticator: checks the x-brand-id / x-api-key pair of a request.
//
// Active key hashes are cached per brand for `cache_ttl` so that the hot path does not
// touch storage; rotation and revocation by an admin command (another process) therefore
// take effect within cache_ttl. Hashes are compared in constant time. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace cdp::auth {

class Authenticator {
 public:
  Authenticator(store::Store& store, const Clock& clock,
                std::chrono::milliseconds cache_ttl = std::chrono::milliseconds(1000));

  // OK when `api_key` is an active key of `brand_id`; Unauthenticated ("Invalid auth")
  // otherwise, including for unknown brands. Unavailable if storage cannot be read.
  Status Authenticate(std::string_view brand_id, std::string_view api_key);

 private:
  struct Entry {
    std::vector<std::string> active_hashes;
    int64_t fetched_at = 0;
  };

  store::Store& store_;
  const Clock& clock_;
  int64_t ttl_micros_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace cdp::auth
