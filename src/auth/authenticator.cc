#include "auth/authenticator.h"

#include "auth/keys.h"
#include "core/ids.h"

namespace cdp::auth {

inline constexpr size_t kMaxCachedBrands = 100000;

Authenticator::Authenticator(store::Store& store, const Clock& clock,
                             std::chrono::milliseconds cache_ttl)
    : store_(store), clock_(clock), ttl_micros_(cache_ttl.count() * 1000) {}

Status Authenticator::Authenticate(std::string_view brand_id, std::string_view api_key) {
  static const Status kInvalid = Unauthenticated("Invalid auth");
  if (brand_id.empty() || api_key.empty() || brand_id.size() > 64 || api_key.size() > 256)
    return kInvalid;
  const int64_t now = clock_.NowMicros();
  // Hashing outside the lock; the cached hashes are compared in place, not copied.
  const std::string presented = HashKey(api_key);
  auto matches = [&presented](const std::vector<std::string>& hashes) {
    bool match = false;
    for (const auto& h : hashes) match |= ConstantTimeEquals(h, presented);
    return match;
  };
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(std::string(brand_id));
    if (it != cache_.end() && now - it->second.fetched_at < ttl_micros_)
      return matches(it->second.active_hashes) ? Status::Ok() : kInvalid;
  }
  auto keys = store_.ListApiKeys(brand_id);
  if (!keys.ok()) return Unavailable("cannot check credentials: " + keys.status().message());
  std::vector<std::string> hashes;
  for (const auto& k : *keys)
    if (!k.revoked_at) hashes.push_back(k.hash);
  const bool match = matches(hashes);
  std::lock_guard lock(mu_);
  // Unknown brand ids are cached too (as empty), bounded so garbage cannot grow memory.
  if (cache_.size() >= kMaxCachedBrands) cache_.clear();
  cache_[std::string(brand_id)] = Entry{std::move(hashes), now};
  return match ? Status::Ok() : kInvalid;
}

}  // namespace cdp::auth
