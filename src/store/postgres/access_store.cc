#include <fmt/format.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/access_sql.h"
#include "store/campaign_sql.h"
#include "store/postgres/parts.h"
#include "store/postgres/rows.h"

namespace cdp::store::postgres {
namespace {

const Sql kInsertBrand{"cdp_insert_brand",
                       "INSERT INTO brands (id, name, created_at) VALUES ($1, $2, $3)"};
const Sql kGetBrand{"cdp_get_brand", "SELECT id, name, created_at FROM brands WHERE id = $1"};
const Sql kListBrands{"cdp_list_brands",
                      "SELECT id, name, created_at FROM brands ORDER BY created_at, id"};
const Sql kInsertKey{"cdp_insert_key",
                     "INSERT INTO api_keys (brand_id, hash, prefix, created_at) "
                     "VALUES ($1, $2, $3, $4)"};
const Sql kListKeys{"cdp_list_keys",
                    "SELECT brand_id, hash, prefix, created_at, revoked_at, last_used_at "
                    "FROM api_keys WHERE brand_id = $1 ORDER BY created_at, prefix"};
const Sql kActiveKeys{"cdp_active_keys",
                      "SELECT hash, prefix FROM api_keys WHERE brand_id = $1 "
                      "AND (revoked_at IS NULL OR revoked_at > $2) FOR UPDATE"};
const Sql kRetireKeys{"cdp_retire_keys", access_sql::kRetireKeys};
const Sql kMarkKeyUsed{"cdp_mark_key_used", access_sql::kMarkKeyUsed};
const Sql kInsertAudit{"cdp_insert_audit", access_sql::kInsertAudit};
const Sql kListAudit{"cdp_list_audit", access_sql::kListAudit};
const Sql kInsertPartner{"cdp_insert_partner", access_sql::kInsertPartner};
const Sql kGetPartner{"cdp_get_partner", access_sql::kGetPartner};
const Sql kListPartners{"cdp_list_partners", access_sql::kListPartners};
const Sql kDeletePartner{"cdp_delete_partner", access_sql::kDeletePartner};
const Sql kRevokePartnerTokens{"cdp_revoke_partner_tokens", access_sql::kRevokePartnerTokens};
const Sql kInsertCode{"cdp_insert_code", access_sql::kInsertCode};
const Sql kGetCode{"cdp_get_code", access_sql::kGetCode};
const Sql kUseCode{"cdp_use_code", access_sql::kUseCode};
const Sql kCodeGrant{"cdp_code_grant", access_sql::kCodeGrant};
const Sql kInsertToken{"cdp_insert_token", access_sql::kInsertToken};
const Sql kGetToken{"cdp_get_token", access_sql::kGetToken};
const Sql kUseRefreshToken{"cdp_use_refresh_token", access_sql::kUseRefreshToken};
const Sql kTokenGrant{"cdp_token_grant", access_sql::kTokenGrant};
const Sql kRevokeGrant{"cdp_revoke_grant", access_sql::kRevokeGrant};
const Sql kRevokeBrandPartner{"cdp_revoke_brand_partner", access_sql::kRevokeBrandPartner};
const Sql kListGrants{"cdp_list_grants", access_sql::kListGrants};
const Sql kRevokeKey{"cdp_revoke_key",
                     "UPDATE api_keys SET revoked_at = $3 WHERE brand_id = $1 AND hash = $2"};
const Sql kSetRateLimit{"cdp_set_rate_limit", campaign_sql::kSetRateLimit};
const Sql kGetRateLimits{"cdp_get_rate_limits", campaign_sql::kGetRateLimits};
const Sql kPutSecret{"cdp_put_secret", campaign_sql::kPutSecret};
const Sql kGetSecret{"cdp_get_secret", campaign_sql::kGetSecret};

ApiKey ReadApiKey(const Rows& r, int row) {
  ApiKey k;
  k.brand_id = r.Text(row, 0);
  k.hash = r.Text(row, 1);
  k.prefix = r.Text(row, 2);
  k.created_at = r.Int(row, 3);
  if (!r.IsNull(row, 4)) k.revoked_at = r.Int(row, 4);
  if (!r.IsNull(row, 5)) k.last_used_at = r.Int(row, 5);
  return k;
}

PartnerApp ReadPartner(const Rows& r, int i) {
  return PartnerApp{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), access_sql::DecodeUris(r.Text(i, 3)),
                    r.Int(i, 4)};
}

AuthCode ReadCode(const Rows& r, int i) {
  return AuthCode{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), Str(r, i, 3), Str(r, i, 4),
                  Str(r, i, 5), Str(r, i, 6), r.Int(i, 7),  r.Int(i, 8),  OptInt(r, i, 9)};
}

OAuthToken ReadToken(const Rows& r, int i) {
  return OAuthToken{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), Str(r, i, 3),   Str(r, i, 4),
                    Str(r, i, 5), r.Int(i, 6),  r.Int(i, 7),  OptInt(r, i, 8)};
}

Brand ReadBrand(const Rows& r, int row) {
  return Brand{std::string(r.Text(row, 0)), std::string(r.Text(row, 1)), r.Int(row, 2)};
}

Status InsertApiKey(Conn& c, const ApiKey& key) {
  return c
      .Exec(kInsertKey,
            Params().Add(key.brand_id).Add(key.hash).Add(key.prefix).Add(key.created_at))
      .status();
}

Status InsertAudit(Conn& c, const AuditEntry& e) {
  return c
      .Exec(
          kInsertAudit,
          Params().Add(e.at).Add(e.actor).Add(e.action).Add(e.brand_id).Add(e.target).Add(e.detail))
      .status();
}

Status InsertTokens(Conn& c, const std::vector<OAuthToken>& tokens) {
  for (const auto& t : tokens)
    CDP_RETURN_IF_ERROR(c.Exec(kInsertToken, Params()
                                                 .Add(t.hash)
                                                 .Add(t.kind)
                                                 .Add(t.grant_id)
                                                 .Add(t.client_id)
                                                 .Add(t.brand_id)
                                                 .Add(t.scopes)
                                                 .Add(t.created_at)
                                                 .Add(t.expires_at))
                            .status());
  return Status::Ok();
}

// The grant of the code or token `hash` (found by `sql`), every token of which is revoked.
Status RevokeGrantOf(Conn& c, const Sql& sql, std::string_view hash, int64_t now) {
  auto grant = c.Exec(sql, Params().Add(hash));
  if (!grant.ok()) return std::move(grant).take_status();
  if (grant->empty()) return Status::Ok();
  return c.Exec(kRevokeGrant, Params().Add(grant->Text(0, 0)).Add(now)).status();
}

class PostgresBrandStore final : public BrandStore {
 public:
  explicit PostgresBrandStore(Backend& backend) : backend_(backend) {}

  Status CreateBrand(const Brand& brand, const ApiKey& first_key,
                     const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      Status st = c.Exec(kInsertBrand, Params().Add(brand.id).Add(brand.name).Add(brand.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists) return AlreadyExists("brand " + brand.id + " exists");
      CDP_RETURN_IF_ERROR(st);
      CDP_RETURN_IF_ERROR(InsertApiKey(c, first_key));
      return InsertAudit(c, audit);
    });
  }

  Result<Brand> GetBrand(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<Brand> {
      auto rows = c.Exec(kGetBrand, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound(fmt::format("no brand {}", brand_id));
      return ReadBrand(*rows, 0);
    });
  }

  Result<std::vector<Brand>> ListBrands() override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Brand>> {
      auto rows = c.Exec(kListBrands);
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<Brand> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadBrand(*rows, i));
      return out;
    });
  }

  Result<std::vector<ApiKey>> ListApiKeys(std::string_view brand_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<ApiKey>> {
      auto rows = c.Exec(kListKeys, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<ApiKey> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(ReadApiKey(*rows, i));
      return out;
    });
  }

  Status AddApiKey(const ApiKey& key, std::optional<int64_t> retire_others_at,
                   const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
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

  Status MarkKeysUsed(const std::vector<std::pair<std::string, int64_t>>& uses) override {
    return backend_.Submit([&](Conn& c) -> Status {
      for (const auto& [hash, at] : uses)
        CDP_RETURN_IF_ERROR(c.Exec(kMarkKeyUsed, Params().Add(hash).Add(at)).status());
      return Status::Ok();
    });
  }

  Status RevokeApiKey(std::string_view brand_id, std::string_view prefix, int64_t now,
                      AuditEntry audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kActiveKeys, Params().Add(brand_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      std::vector<std::string> matches;
      for (int i = 0; i < rows->size(); ++i) {
        std::string_view stored_prefix = rows->Text(i, 1);
        // The operator may give any prefix of the stored prefix, or the whole key.
        bool match = prefix.size() <= stored_prefix.size() ? stored_prefix.starts_with(prefix)
                                                           : prefix.starts_with(stored_prefix);
        if (match) {
          matches.emplace_back(rows->Text(i, 0));
          audit.target = std::string(stored_prefix);
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

  Status SetRateLimit(std::string_view brand_id, std::string_view group, int64_t per_minute,
                      const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(
          c.Exec(kSetRateLimit, Params().Add(brand_id).Add(group).Add(per_minute)).status());
      return InsertAudit(c, audit);
    });
  }

  Result<std::vector<AuditEntry>> ListAudit(std::string_view brand_id, int64_t before_id,
                                            size_t limit) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<AuditEntry>> {
      auto rows = c.Exec(kListAudit,
                         Params().Add(brand_id).Add(before_id).Add(static_cast<int64_t>(limit)));
      if (!rows.ok()) return std::move(rows).take_status();
      return AllOf<AuditEntry>(*rows, [](const Rows& r, int i) {
        return AuditEntry{r.Int(i, 0),  r.Int(i, 1),  Str(r, i, 2), Str(r, i, 3),
                          Str(r, i, 4), Str(r, i, 5), Str(r, i, 6)};
      });
    });
  }

  Result<std::vector<std::pair<std::string, int64_t>>> GetRateLimits(
      std::string_view brand_id) override {
    using Limits = std::vector<std::pair<std::string, int64_t>>;
    return backend_.WithReader([&](Conn& c) -> Result<Limits> {
      auto rows = c.Exec(kGetRateLimits, Params().Add(brand_id));
      if (!rows.ok()) return std::move(rows).take_status();
      Limits out;
      for (int i = 0; i < rows->size(); ++i)
        out.emplace_back(std::string(rows->Text(i, 0)), rows->Int(i, 1));
      return out;
    });
  }

  Result<std::string> GetOrCreateSecret(std::string_view name,
                                        std::string_view candidate) override {
    std::string value;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kPutSecret, Params().Add(name).Add(candidate)).status());
      auto rows = c.Exec(kGetSecret, Params().Add(name));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->size() == 0) return Internal("secret vanished");
      value = std::string(rows->Text(0, 0));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return value;
  }

 private:
  Backend& backend_;
};

}  // namespace

std::unique_ptr<BrandStore> NewBrandStore(Backend& backend) {
  return std::make_unique<PostgresBrandStore>(backend);
}

namespace {

class PostgresPartnerStore final : public PartnerStore {
 public:
  explicit PostgresPartnerStore(Backend& backend) : backend_(backend) {}

  Status CreatePartnerApp(const PartnerApp& app, const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      Status st = c.Exec(kInsertPartner, Params()
                                             .Add(app.client_id)
                                             .Add(app.name)
                                             .Add(app.secret_hash)
                                             .Add(access_sql::EncodeUris(app.redirect_uris))
                                             .Add(app.created_at))
                      .status();
      if (st.code() == Code::kAlreadyExists)
        return AlreadyExists("partner app " + app.client_id + " exists");
      CDP_RETURN_IF_ERROR(st);
      return InsertAudit(c, audit);
    });
  }

  Result<PartnerApp> GetPartnerApp(std::string_view client_id) override {
    return backend_.WithReader([&](Conn& c) -> Result<PartnerApp> {
      auto rows = c.Exec(kGetPartner, Params().Add(client_id));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound(fmt::format("no partner app {}", client_id));
      return ReadPartner(*rows, 0);
    });
  }

  Result<std::vector<PartnerApp>> ListPartnerApps() override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<PartnerApp>> {
      auto rows = c.Exec(kListPartners);
      if (!rows.ok()) return std::move(rows).take_status();
      return AllOf<PartnerApp>(*rows, ReadPartner);
    });
  }

  Status DeletePartnerApp(std::string_view client_id, int64_t now,
                          const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      auto deleted = c.Exec(kDeletePartner, Params().Add(client_id).Add(now));
      if (!deleted.ok()) return std::move(deleted).take_status();
      if (deleted->empty()) return NotFound(fmt::format("no partner app {}", client_id));
      CDP_RETURN_IF_ERROR(c.Exec(kRevokePartnerTokens, Params().Add(client_id).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Status SaveAuthCode(const AuthCode& code, const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kInsertCode, Params()
                                                  .Add(code.hash)
                                                  .Add(code.grant_id)
                                                  .Add(code.client_id)
                                                  .Add(code.brand_id)
                                                  .Add(code.scopes)
                                                  .Add(code.redirect_uri)
                                                  .Add(code.code_challenge)
                                                  .Add(code.created_at)
                                                  .Add(code.expires_at))
                              .status());
      return InsertAudit(c, audit);
    });
  }

  Result<AuthCode> GetAuthCode(std::string_view hash) override {
    return backend_.WithReader([&](Conn& c) -> Result<AuthCode> {
      auto rows = c.Exec(kGetCode, Params().Add(hash));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound("no such authorization code");
      return ReadCode(*rows, 0);
    });
  }

  Status RedeemAuthCode(std::string_view hash, int64_t now,
                        const std::vector<OAuthToken>& tokens) override {
    bool replayed = false;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto used = c.Exec(kUseCode, Params().Add(hash).Add(now));
      if (!used.ok()) return std::move(used).take_status();
      replayed = used->empty();
      if (replayed) return RevokeGrantOf(c, kCodeGrant, hash, now);
      return InsertTokens(c, tokens);
    });
    if (st.ok() && replayed) return FailedPrecondition("authorization code already used");
    return st;
  }

  Result<OAuthToken> GetOAuthToken(std::string_view hash) override {
    return backend_.WithReader([&](Conn& c) -> Result<OAuthToken> {
      auto rows = c.Exec(kGetToken, Params().Add(hash));
      if (!rows.ok()) return std::move(rows).take_status();
      if (rows->empty()) return NotFound("no such token");
      return ReadToken(*rows, 0);
    });
  }

  Status RotateRefreshToken(std::string_view hash, int64_t now,
                            const std::vector<OAuthToken>& tokens) override {
    bool reused = false;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto used = c.Exec(kUseRefreshToken, Params().Add(hash).Add(now));
      if (!used.ok()) return std::move(used).take_status();
      reused = used->empty();
      if (reused) return RevokeGrantOf(c, kTokenGrant, hash, now);
      return InsertTokens(c, tokens);
    });
    if (st.ok() && reused) return FailedPrecondition("refresh token already used or revoked");
    return st;
  }

  Status RevokeGrant(std::string_view grant_id, int64_t now, const AuditEntry& audit) override {
    return backend_.Submit([&](Conn& c) -> Status {
      CDP_RETURN_IF_ERROR(c.Exec(kRevokeGrant, Params().Add(grant_id).Add(now)).status());
      return InsertAudit(c, audit);
    });
  }

  Result<int64_t> RevokePartnerAccess(std::string_view brand_id, std::string_view client_id,
                                      int64_t now, const AuditEntry& audit) override {
    int64_t grants = 0;
    Status st = backend_.Submit([&](Conn& c) -> Status {
      auto rows = c.Exec(kRevokeBrandPartner, Params().Add(brand_id).Add(client_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      std::set<std::string_view> distinct;
      for (int i = 0; i < rows->size(); ++i) distinct.insert(rows->Text(i, 0));
      grants = static_cast<int64_t>(distinct.size());
      return InsertAudit(c, audit);
    });
    if (!st.ok()) return st;
    return grants;
  }

  Result<std::vector<Grant>> ListGrants(std::string_view brand_id, int64_t now) override {
    return backend_.WithReader([&](Conn& c) -> Result<std::vector<Grant>> {
      auto rows = c.Exec(kListGrants, Params().Add(brand_id).Add(now));
      if (!rows.ok()) return std::move(rows).take_status();
      return AllOf<Grant>(*rows, [](const Rows& r, int i) {
        return Grant{Str(r, i, 0), Str(r, i, 1), Str(r, i, 2), r.Int(i, 3), r.Int(i, 4)};
      });
    });
  }

 private:
  Backend& backend_;
};

}  // namespace

std::unique_ptr<PartnerStore> NewPartnerStore(Backend& backend) {
  return std::make_unique<PostgresPartnerStore>(backend);
}

}  // namespace cdp::store::postgres
