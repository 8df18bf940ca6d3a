#include "auth/write_keys.h"

#include <fmt/format.h>

#include <utility>

#include "auth/keys.h"
#include "core/ids.h"

namespace cdp::auth {
namespace {

// Bounds the cache, so that a flood of made-up keys cannot grow memory.
inline constexpr size_t kMaxCachedKeys = 100000;
// Longer than any key cdp issues: refused without a lookup.
inline constexpr size_t kMaxWriteKeyChars = 256;

Status Invalid() { return Unauthenticated("Invalid write key"); }

Result<SourcePrincipal> Admit(const Result<store::SourceStore::KeyedSource>& found, int64_t now) {
  if (!found.ok()) return Invalid();
  const auto& [key, source] = *found;
  if (!key.ActiveAt(now) || source.revoked_at) return Invalid();
  return SourcePrincipal{source.brand_id, source.id, source.allowed_origins};
}

}  // namespace

IssuedWriteKey IssueWriteKey(std::string_view brand_id, std::string_view source_id, int64_t now) {
  IssuedWriteKey key;
  key.secret = fmt::format("{}{}", kWriteKeyPrefix, RandomHex(24));
  key.record.brand_id = std::string(brand_id);
  key.record.source_id = std::string(source_id);
  key.record.prefix = key.secret.substr(0, kKeyPrefixChars);
  key.record.hash = HashKey(key.secret);
  key.record.created_at = now;
  return key;
}

std::string NewSourceId() { return fmt::format("src_{}", RandomHex(8)); }

WriteKeys::WriteKeys(store::SourceStore& store, const Clock& clock,
                     std::chrono::milliseconds cache_ttl)
    : store_(store), clock_(clock), ttl_micros_(cache_ttl.count() * 1000) {}

Result<SourcePrincipal> WriteKeys::Authenticate(std::string_view write_key) {
  if (!write_key.starts_with(kWriteKeyPrefix) || write_key.size() > kMaxWriteKeyChars)
    return Invalid();
  const int64_t now = clock_.NowMicros();
  // Hashing outside the lock.
  std::string hash = HashKey(write_key);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.fetched_at < ttl_micros_)
      return Admit(it->second.found, now);
  }
  auto found = store_.FindWriteKey(hash);
  if (!found.ok() && found.status().code() != Code::kNotFound)
    return Unavailable(fmt::format("cannot check credentials: {}", found.status().message()));
  Result<SourcePrincipal> admitted = Admit(found, now);
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCachedKeys) cache_.clear();
  cache_.insert_or_assign(std::move(hash), Entry{std::move(found), now});
  return admitted;
}

}  // namespace cdp::auth
