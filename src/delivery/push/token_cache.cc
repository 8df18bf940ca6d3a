#include "delivery/push/token_cache.h"

namespace cdp::delivery {

Result<std::string> TokenCache::Get(const std::string& key, int64_t now_micros,
                                    const std::function<Result<Token>()>& fetch) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto& slot = entries_[key];
    if (!slot) slot = std::make_shared<Entry>();
    entry = slot;
  }
  std::lock_guard lock(entry->fetching);
  if (!entry->token.value.empty() && now_micros < entry->token.expires_micros)
    return entry->token.value;
  Result<Token> fresh = fetch();
  if (!fresh.ok()) return std::move(fresh).take_status();
  entry->token = std::move(*fresh);
  return entry->token.value;
}

void TokenCache::Drop(const std::string& key, const std::string& value) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    entry = it->second;
  }
  std::lock_guard lock(entry->fetching);
  if (entry->token.value == value) entry->token = {};
}

TokenCache& TokenCache::Shared() {
  static TokenCache* cache = new TokenCache;  // never destroyed: providers may outlive statics
  return *cache;
}

}  // namespace cdp::delivery
