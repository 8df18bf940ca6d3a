#include "auth/authenticator.h"

#include "auth/keys.h"
#include "core/ids.h"

namespace cdp::auth {

inline constexpr size_t kMaxCachedBrands = 100000;

Authenticator::Authenticator(store::BrandStore& store, const Clock& clock,
                             std::chrono::milliseconds cache_ttl)
    : store_(store), clock_(clock), ttl_micros_(cache_ttl.count() * 1000) {}

// Called with mu_ held. Every key is compared, so that timing does not tell which matched.
Result<Principal> Authenticator::Match(std::string_view brand_id, const std::vector<Key>& keys,
                                       const std::string& presented, int64_t now) {
  const Key* match = nullptr;
  for (const auto& k : keys)
    if (ConstantTimeEquals(k.hash, presented) && (!k.revoked_at || *k.revoked_at > now)) match = &k;
  if (!match) return Unauthenticated("Invalid auth");
  auto recorded = recorded_use_.find(match->hash);
  if (recorded == recorded_use_.end() || now - recorded->second >= kUsageResolutionMicros) {
    if (recorded_use_.size() >= kMaxCachedBrands) recorded_use_.clear();
    recorded_use_[match->hash] = now;
    pending_use_[match->hash] = now;
  }
  return Principal{std::string(brand_id), kAllScopes, "key:" + match->prefix};
}

Result<Principal> Authenticator::Authenticate(std::string_view brand_id, std::string_view api_key) {
  if (brand_id.empty() || api_key.empty() || brand_id.size() > 64 || api_key.size() > 256)
    return Unauthenticated("Invalid auth");
  const int64_t now = clock_.NowMicros();
  // Hashing outside the lock.
  const std::string presented = HashKey(api_key);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(std::string(brand_id));
    if (it != cache_.end() && now - it->second.fetched_at < ttl_micros_)
      return Match(brand_id, it->second.keys, presented, now);
  }
  auto stored = store_.ListApiKeys(brand_id);
  if (!stored.ok()) return Unavailable("cannot check credentials: " + stored.status().message());
  std::vector<Key> keys;
  for (const auto& k : *stored)
    if (k.ActiveAt(now)) keys.push_back(Key{k.hash, k.prefix, k.revoked_at});
  std::lock_guard lock(mu_);
  // Unknown brand ids are cached too (as empty), bounded so garbage cannot grow memory.
  if (cache_.size() >= kMaxCachedBrands) cache_.clear();
  auto& entry = cache_[std::string(brand_id)];
  entry = Entry{std::move(keys), now};
  return Match(brand_id, entry.keys, presented, now);
}

Status Authenticator::FlushUsage() {
  std::vector<std::pair<std::string, int64_t>> uses;
  {
    std::lock_guard lock(mu_);
    uses.assign(pending_use_.begin(), pending_use_.end());
    pending_use_.clear();
  }
  if (uses.empty()) return Status::Ok();
  Status st = store_.MarkKeysUsed(uses);
  if (!st.ok()) {
    // Kept for the next flush; a newer use of the same key wins.
    std::lock_guard lock(mu_);
    for (auto& [hash, at] : uses) pending_use_.try_emplace(std::move(hash), at);
  }
  return st;
}

}  // namespace cdp::auth
