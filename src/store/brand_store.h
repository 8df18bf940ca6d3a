// BrandStore: brands, their API keys and rate limits, the audit log of changes to them, and
// installation-wide secrets. Used by the Authenticator (keys), the rate-limit Policy
// (limits), the admin commands and the campaign engine (secrets). Every method is
// thread-safe; a change that returns OK is durable and is recorded, in the same
// transaction, by the AuditEntry it takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cdp::store {

struct Brand {
  std::string id;
  std::string name;
  int64_t created_at = 0;
};

// An API key as stored: only its SHA-256 hash and a short prefix for operators to name it.
// A key works until `revoked_at`, which a rotation with a grace period sets in the future.
struct ApiKey {
  std::string brand_id;
  std::string prefix;
  std::string hash;
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;  // recorded with up to a minute's delay
  bool ActiveAt(int64_t now) const { return !revoked_at || *revoked_at > now; }
};

// One change to brands, keys, limits or partner access, and who made it. Written in the same
// transaction as the change it records.
struct AuditEntry {
  int64_t id = 0;  // assigned by the store, increasing
  int64_t at = 0;
  std::string actor;          // "cli:USER", "key:PREFIX" (a brand's API key), "partner:CLIENT_ID"
  std::string action;         // e.g. "key.rotate"; docs/access.md lists them
  std::string brand_id;       // empty for installation-wide changes
  std::string target;         // what changed: a key prefix, a partner's client id, a limit group
  std::string detail = "{}";  // JSON object
};

class BrandStore {
 public:
  virtual ~BrandStore() = default;

  // AlreadyExists if the brand id is taken.
  virtual Status CreateBrand(const Brand& brand, const ApiKey& first_key,
                             const AuditEntry& audit) = 0;
  // NotFound if there is no such brand.
  virtual Result<Brand> GetBrand(std::string_view brand_id) = 0;
  virtual Result<std::vector<Brand>> ListBrands() = 0;
  // All keys of the brand, revoked ones included, oldest first.
  virtual Result<std::vector<ApiKey>> ListApiKeys(std::string_view brand_id) = 0;
  // Adds a key; with `retire_others_at`, every other key of the brand still active then stops
  // working at that time (now, or later for a grace period), in the same transaction.
  // NotFound if the brand does not exist.
  virtual Status AddApiKey(const ApiKey& key, std::optional<int64_t> retire_others_at,
                           const AuditEntry& audit) = 0;
  // Revokes (at `now`) the active key whose prefix starts with `prefix`; a key in a grace
  // period counts as active. NotFound when none matches, InvalidArgument when several do.
  // The audit entry's target is set to the key's prefix.
  virtual Status RevokeApiKey(std::string_view brand_id, std::string_view prefix, int64_t now,
                              AuditEntry audit) = 0;
  // Records when keys (by hash) were last used; an older time never replaces a newer one.
  virtual Status MarkKeysUsed(const std::vector<std::pair<std::string, int64_t>>& uses) = 0;

  // Rate limits a brand has instead of the defaults, per API group name ("users", ...);
  // 0 means unlimited. Groups not set are absent.
  virtual Status SetRateLimit(std::string_view brand_id, std::string_view group, int64_t per_minute,
                              const AuditEntry& audit) = 0;
  virtual Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(
      std::string_view brand_id) = 0;

  // The audit log, newest first: entries with id below `before_id` (0: from the newest), of
  // one brand (or all when `brand_id` is empty), at most `limit`.
  virtual Result<std::vector<AuditEntry>> ListAudit(std::string_view brand_id, int64_t before_id,
                                                    size_t limit) = 0;

  // An installation-wide secret (e.g. the key signing tracking links), shared by every node
  // on the same database: stores `candidate` under `name` unless a value is there already,
  // and returns the stored value.
  virtual Result<std::string> GetOrCreateSecret(std::string_view name,
                                                std::string_view candidate) = 0;
};

}  // namespace cdp::store
