#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/parts.h"
#include "store/sql/rows.h"

namespace cdp::store::sql {
namespace {

const Query kInsertBrand("INSERT INTO brands (id, name, created_at) VALUES ($1, $2, $3)");
const Query kGetBrand("SELECT id, name, created_at FROM brands WHERE id = $1");
const Query kListBrands("SELECT id, name, created_at FROM brands ORDER BY created_at, id");
const Query kInsertKey(
    "INSERT INTO api_keys (brand_id, hash, prefix, created_at) VALUES ($1, $2, $3, $4)");
const Query kListKeys(
    "SELECT brand_id, hash, prefix, created_at, revoked_at, last_used_at FROM api_keys "
    "WHERE brand_id = $1 ORDER BY created_at, prefix");
const Query kActiveKeys(
    "SELECT hash, prefix FROM api_keys WHERE brand_id = $1 "
    "AND (revoked_at IS NULL OR revoked_at > $2)",
    Query::Lock::kForUpdate);
const Query kRevokeKey("UPDATE api_keys SET revoked_at = $3 WHERE brand_id = $1 AND hash = $2");
// The brand's other keys stop working at $2 unless they stop earlier already; $3: the new
// key's hash.
const Query kRetireKeys(
    "UPDATE api_keys SET revoked_at = $2 WHERE brand_id = $1 AND hash <> $3 "
    "AND (revoked_at IS NULL OR revoked_at > $2)");
const Query kMarkKeyUsed(
    "UPDATE api_keys SET last_used_at = $2 "
    "WHERE hash = $1 AND (last_used_at IS NULL OR last_used_at < $2)");
const Query kSetRateLimit(
    "INSERT INTO rate_limits (brand_id, api_group, per_minute) VALUES ($1, $2, $3) "
    "ON CONFLICT (brand_id, api_group) DO UPDATE SET per_minute = excluded.per_minute");
const Query kGetRateLimits("SELECT api_group, per_minute FROM rate_limits WHERE brand_id = $1");
const Query kInsertAudit(
    "INSERT INTO audit_log (at, actor, action, brand_id, target, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6)");
// $1: brand ('' for all), $2: before id (0: no bound), $3: limit.
const Query kListAudit(
    "SELECT id, at, actor, action, brand_id, target, detail FROM audit_log "
    "WHERE ($1 = '' OR brand_id = $1) AND (CAST($2 AS BIGINT) = 0 OR id < CAST($2 AS BIGINT)) "
    "ORDER BY id DESC LIMIT $3");
const Query kPutSecret(
    "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING");
const Query kGetSecret("SELECT value FROM secrets WHERE name = $1");

Brand ReadBrand(const Rows& r, int i) { return Brand{r.Text(i, 0), r.Text(i, 1), r.Int(i, 2)}; }

ApiKey ReadApiKey(const Rows& r, int i) {
  ApiKey k;
  k.brand_id = r.Text(i, 0);
  k.hash = r.Text(i, 1);
  k.prefix = r.Text(i, 2);
  k.created_at = r.Int(i, 3);
  k.revoked_at = r.OptInt(i, 4);
  k.last_used_at = r.OptInt(i, 5);
  return k;
}

Status InsertApiKey(Connection& c, const ApiKey& key) {
  return c
      .Exec(kInsertKey,
            Params().Add(key.brand_id).Add(key.hash).Add(key.prefix).Add(key.created_at))
      .status();
}

class PortableBrandStore final : public BrandStore {
 public:
  explicit PortableBrandStore(Executor& executor) : executor_(executor) {}

  Status CreateBrand(const Brand& brand, const ApiKey& first_key,
                     const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      Status st = c.Exec(kInsertBrand, Params().Add(brand.id).Add(brand.name).Add(brand.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists) return AlreadyExists("brand " + brand.id + " exists");
      CDP_RETURN_IF_ERROR(st);
      CDP_RETURN_IF_ERROR(InsertApiKey(c, first_key));
      return InsertAudit(c, audit);
    });
  }

  Result<Brand> GetBrand(std::string_view brand_id) override {
    std::optional<Brand> brand;
    CDP_RETURN_IF_ERROR(executor_.Read([&](Connection& c) -> Status {
      auto rows = c.Exec(kGetBrand, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (!rows->empty()) brand = ReadBrand(*rows, 0);
      return Status::Ok();
    }));
    if (!brand) return NotFound(fmt::format("no brand {}", brand_id));
    return std::move(*brand);
  }

  Result<std::vector<Brand>> ListBrands() override {
    return ReadAll<Brand>(executor_, kListBrands, Params(), ReadBrand);
  }

  Result<std::vector<ApiKey>> ListApiKeys(std::string_view brand_id) override {
    return ReadAll<ApiKey>(executor_, kListKeys, Params().Add(brand_id), ReadApiKey);
  }

  Status AddApiKey(const ApiKey& key, std::optional<int64_t> retire_others_at,
                   const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto brand = c.Exec(kGetBrand, Params().Add(key.brand_id));
      if (!brand.ok()) return std::move(brand).take_status();
      if (brand->empty()) return NotFound("no brand " + key.brand_id);
      if (retire_others_at)
        CDP_RETURN_IF_ERROR(
            c.Exec(kRetireKeys, Params().Add(key.brand_id).Add(*retire_others_at).Add(key.hash))
                .status());
      CDP_RETURN_IF_ERROR(InsertApiKey(c, key));
      return InsertAudit(c, audit);
    });
  }

  Status RevokeApiKey(std::string_view brand_id, std::string_view prefix, int64_t now,
                      AuditEntry audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      auto rows = c.Exec(kActiveKeys, Params().Add(brand_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<std::string> matches;
      for (int i = 0; i < rows->size(); ++i) {
        const std::string stored_prefix = rows->Text(i, 1);
        // The operator may give any prefix of the stored prefix, or the whole key.
        const bool match = prefix.size() <= stored_prefix.size()
                               ? std::string_view(stored_prefix).starts_with(prefix)
                               : prefix.starts_with(stored_prefix);
        if (match) {
          matches.push_back(rows->Text(i, 0));
          audit.target = stored_prefix;
        }
      }
      if (matches.empty())
        return NotFound(
            fmt::format("brand {} has no active key starting with '{}'", brand_id, prefix));
      if (matches.size() > 1)
        return InvalidArgument(fmt::format("'{}' matches {} active keys; give a longer prefix",
                                           prefix, matches.size()));
      CDP_RETURN_IF_ERROR(
          c.Exec(kRevokeKey, Params().Add(brand_id).Add(matches[0]).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Status MarkKeysUsed(const std::vector<std::pair<std::string, int64_t>>& uses) override {
    return executor_.Write([&](Connection& c) -> Status {
      for (const auto& [hash, at] : uses)
        CDP_RETURN_IF_ERROR(c.Exec(kMarkKeyUsed, Params().Add(hash).Add(at)).status());
      return Status::Ok();
    });
  }

  Status SetRateLimit(std::string_view brand_id, std::string_view group, int64_t per_minute,
                      const AuditEntry& audit) override {
    return executor_.Write([&](Connection& c) -> Status {
      CDP_RETURN_IF_ERROR(
          c.Exec(kSetRateLimit, Params().Add(brand_id).Add(group).Add(per_minute)).status());
      return InsertAudit(c, audit);
    });
  }

  Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(
      std::string_view brand_id) override {
    return ReadAll<std::pair<std::string, int64_t>>(
        executor_, kGetRateLimits, Params().Add(brand_id),
        [](const Rows& r, int i) { return std::pair(r.Text(i, 0), r.Int(i, 1)); });
  }

  Result<std::vector<AuditEntry>> ListAudit(std::string_view brand_id, int64_t before_id,
                                            size_t limit) override {
    return ReadAll<AuditEntry>(
        executor_, kListAudit,
        Params().Add(brand_id).Add(before_id).Add(static_cast<int64_t>(limit)),
        [](const Rows& r, int i) {
          return AuditEntry{r.Int(i, 0),  r.Int(i, 1),  r.Text(i, 2), r.Text(i, 3),
                            r.Text(i, 4), r.Text(i, 5), r.Text(i, 6)};
        });
  }

  // Whichever node asks first stores its candidate; every node then reads that one.
  Result<std::string> GetOrCreateSecret(std::string_view name,
                                        std::string_view candidate) override {
    std::string value;
    Status st = executor_.Write([&](Connection& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kPutSecret, Params().Add(name).Add(candidate)).status());
      auto rows = c.Exec(kGetSecret, Params().Add(name));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return Internal("secret vanished");
      value = rows->Text(0, 0);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return value;
  }

 private:
  Executor& executor_;
};

}  // namespace

Status InsertAudit(Connection& c, const AuditEntry& e) {
  return c
      .Exec(
          kInsertAudit,
          Params().Add(e.at).Add(e.actor).Add(e.action).Add(e.brand_id).Add(e.target).Add(e.detail))
      .status();
}

std::unique_ptr<BrandStore> NewBrandStore(Executor& executor) {
  return std::make_unique<PortableBrandStore>(executor);
}

}  // namespace cdp::store::sql
