// WriteKeys: checks the write key a tracking SDK sends (Basic auth or "writeKey" in the
// body) against the brands' sources.
//
// A write key only writes, through the tracking API (/v1): it is safe to ship inside a
// web page or an app, and never reads. Lookups are cached by key hash for `cache_ttl`, so
// that rotation and revocation by an admin command (another process, or another node)
// take effect within it; unknown keys are cached too, so a flood of bad keys does not
// reach storage. Thread-safe.
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
#include "store/source_store.h"

namespace cdp::auth {

// Every write key starts with this, so that one sent where an API key belongs is named.
inline constexpr std::string_view kWriteKeyPrefix = "wk_";

// Who sent a tracking call.
struct SourcePrincipal {
  std::string brand_id;
  std::string source_id;
  std::vector<std::string> allowed_origins;  // empty: any
};

// A new write key for a source: kWriteKeyPrefix + 48 hex digits (192 random bits), shown
// to the operator once; the store keeps its hash (HashKey) and first kKeyPrefixChars.
struct IssuedWriteKey {
  std::string secret;
  store::WriteKey record;
};
IssuedWriteKey IssueWriteKey(std::string_view brand_id, std::string_view source_id, int64_t now);

// A new random source id: "src_" + 16 hex digits.
std::string NewSourceId();

class WriteKeys {
 public:
  WriteKeys(store::SourceStore& store, const Clock& clock,
            std::chrono::milliseconds cache_ttl = std::chrono::milliseconds(1000));

  // The source of `write_key` when the key is active now and its source not revoked;
  // Unauthenticated ("Invalid write key") otherwise. Unavailable if storage cannot be read.
  Result<SourcePrincipal> Authenticate(std::string_view write_key);

 private:
  struct Entry {
    Result<store::SourceStore::KeyedSource> found;
    int64_t fetched_at = 0;
  };
  store::SourceStore& store_;
  const Clock& clock_;
  int64_t ttl_micros_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // by key hash
};

}  // namespace cdp::auth
