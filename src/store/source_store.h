// SourceStore: a brand's sources (a website, an app, a backend...) with their write keys,
// and the debugger's record of each source's latest calls to the tracking API (/v1).
// Used by the WriteKeys authenticator, the tracking API, the Sources API and the admin
// commands. Thread-safe; a change that returns OK is durable and is recorded, in the same
// transaction, by the AuditEntry it takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/brand_store.h"

namespace cdp::store {

// Calls the debugger keeps per source; older ones are dropped.
inline constexpr size_t kSourceCallsKept = 100;

struct Source {
  std::string brand_id;
  std::string id;  // "src_..."
  std::string name;
  // Origins (scheme://host[:port]) whose pages may send from a browser; empty: any.
  std::vector<std::string> allowed_origins;
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;  // a revoked source accepts no key
};

// A write key as stored: its SHA-256 hash and a short prefix for operators to name it. Like
// ApiKey, it works until `revoked_at`, which a rotation with a grace period sets in the
// future.
struct WriteKey {
  std::string brand_id;
  std::string source_id;
  std::string prefix;
  std::string hash;
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
  bool ActiveAt(int64_t now) const { return !revoked_at || *revoked_at > now; }
};

// One call to the tracking API as the debugger shows it.
struct SourceCall {
  std::string brand_id;
  std::string source_id;
  int64_t at = 0;         // received, micros
  std::string path;       // "/v1/batch", "/v1/t", ...
  int status = 200;       // the HTTP status answered
  int64_t accepted = 0;   // messages stored (duplicates included)
  int64_t rejected = 0;   // messages dropped
  std::string detail = "{}";  // JSON object: the reason, and each message's outcome
};

class SourceStore {
 public:
  virtual ~SourceStore() = default;

  // Creates `source` with its first key. NotFound if the brand does not exist,
  // AlreadyExists if the id is taken.
  virtual Status CreateSource(const Source& source, const WriteKey& key,
                              const AuditEntry& audit) = 0;
  // NotFound for an id the brand does not have.
  virtual Result<Source> GetSource(std::string_view brand_id, std::string_view source_id) = 0;
  // The brand's sources, revoked ones included, oldest first.
  virtual Result<std::vector<Source>> ListSources(std::string_view brand_id) = 0;
  // The source's keys, revoked ones included, oldest first.
  virtual Result<std::vector<WriteKey>> ListWriteKeys(std::string_view brand_id,
                                                      std::string_view source_id) = 0;
  // Adds `key` to its source; with `retire_others_at`, every other key of that source still
  // active then stops working at that time, in the same transaction. NotFound if the
  // source does not exist or is revoked.
  virtual Status AddWriteKey(const WriteKey& key, std::optional<int64_t> retire_others_at,
                             const AuditEntry& audit) = 0;
  // Revokes the source (at `now`) and with it every key. NotFound when there is none.
  virtual Status RevokeSource(std::string_view brand_id, std::string_view source_id, int64_t now,
                              const AuditEntry& audit) = 0;
  // Replaces the allowed origins. NotFound when there is no such source.
  virtual Status SetAllowedOrigins(std::string_view brand_id, std::string_view source_id,
                                   const std::vector<std::string>& origins,
                                   const AuditEntry& audit) = 0;
  // The key whose hash is `hash` and its source, whether active or not (the caller checks
  // ActiveAt and the source's revoked_at). NotFound when no key has that hash.
  struct KeyedSource {
    WriteKey key;
    Source source;
  };
  virtual Result<KeyedSource> FindWriteKey(std::string_view hash) = 0;

  // Appends the calls, then keeps only the newest kSourceCallsKept of each source named.
  virtual Status RecordSourceCalls(const std::vector<SourceCall>& calls) = 0;
  // A source's kept calls, newest first, at most `limit`.
  virtual Result<std::vector<SourceCall>> ListSourceCalls(std::string_view brand_id,
                                                          std::string_view source_id,
                                                          size_t limit) = 0;
};

}  // namespace cdp::store
