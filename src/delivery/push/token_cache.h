// TokenCache: bearer credentials that push providers share across the process (FCM's OAuth
// access tokens, APNs' provider JWTs), so that several providers of one account (one per
// sending thread) fetch or sign one token between them rather than one each. Used by
// delivery/push/fcm.cc and delivery/push/apns.cc. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"

namespace cdp::delivery {

class TokenCache {
 public:
  struct Token {
    std::string value;
    int64_t expires_micros = 0;  // by the caller's clock: when the token is not to be used
  };

  // The cached token for `key` when it is still usable at `now_micros`; otherwise calls
  // `fetch` and caches what it returns. Concurrent callers for one key wait for one fetch;
  // other keys are not held up. A fetch error is returned as is and nothing is cached.
  Result<std::string> Get(const std::string& key, int64_t now_micros,
                          const std::function<Result<Token>()>& fetch);

  // Forgets the token for `key` if it is still `value` (another caller may already have
  // replaced it), so that the next Get fetches a new one.
  void Drop(const std::string& key, const std::string& value);

  // The one cache of the process.
  static TokenCache& Shared();

 private:
  struct Entry {
    std::mutex fetching;  // held while one caller fetches; guards token
    Token token;
  };
  std::mutex mu_;  // guards entries_ (the map, not the entries' tokens)
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace cdp::delivery
