// Policy: which limit applies to a brand's call, and whether the limiter admits it.
//
// Each brand's limits are read from the store (`cdp brand limits` writes them) and cached
// for `ttl`, so a change reaches every running node within it; groups a brand has not set
// use the documented defaults. When the store cannot be read, the last known limits (or the
// defaults) apply: rate limiting never fails a request by itself. Thread-safe.
#pragma once

#include <chrono>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "ratelimit/limiter.h"
#include "store/brand_store.h"

namespace cdp::ratelimit {

class Policy {
 public:
  Policy(store::BrandStore& store, Limiter& limiter, const Clock& clock,
         std::chrono::milliseconds ttl = std::chrono::milliseconds(2000));

  // Counts the call against the brand's budget for `group`.
  Decision Admit(std::string_view brand_id, Group group);
  // The brand's per-minute limit for `group` now (0: unlimited).
  int64_t LimitOf(std::string_view brand_id, Group group);

 private:
  struct Entry {
    int64_t limits[std::size(kGroups)] = {};
    int64_t fetched_at = 0;
    bool loaded = false;
  };

  store::BrandStore& store_;
  Limiter& limiter_;
  const Clock& clock_;
  const int64_t ttl_micros_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace cdp::ratelimit
