// SQL of access control that both backends run as written (PostgreSQL with its $N
// parameters, SQLite through campaign_sql::ForSqlite): API key use, partner apps, OAuth codes
// and tokens, and the audit log. Only store/ includes this header.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cdp::store::access_sql {

// partner_apps.redirect_uris: a JSON array of strings.
inline std::string EncodeUris(const std::vector<std::string>& uris) {
  boost::json::array a;
  for (const auto& u : uris) a.emplace_back(u);
  return boost::json::serialize(a);
}
inline std::vector<std::string> DecodeUris(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& u : v.get_array())
    if (u.is_string()) out.emplace_back(u.get_string());
  return out;
}

inline constexpr const char* kMarkKeyUsed =
    "UPDATE api_keys SET last_used_at = $2 "
    "WHERE hash = $1 AND (last_used_at IS NULL OR last_used_at < $2)";
// The brand's keys stop working at $2 unless they stop earlier already; $3: the new key's hash.
inline constexpr const char* kRetireKeys =
    "UPDATE api_keys SET revoked_at = $2 WHERE brand_id = $1 AND hash <> $3 "
    "AND (revoked_at IS NULL OR revoked_at > $2)";

inline constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (at, actor, action, brand_id, target, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
// $1: brand ('' for all), $2: before id (0: no bound), $3: limit.
inline constexpr const char* kListAudit =
    "SELECT id, at, actor, action, brand_id, target, detail FROM audit_log "
    "WHERE ($1 = '' OR brand_id = $1) AND (CAST($2 AS BIGINT) = 0 OR id < CAST($2 AS BIGINT)) "
    "ORDER BY id DESC LIMIT $3";

inline constexpr const char* kInsertPartner =
    "INSERT INTO partner_apps (client_id, name, secret_hash, redirect_uris, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";
inline constexpr const char* kGetPartner =
    "SELECT client_id, name, secret_hash, redirect_uris, created_at FROM partner_apps "
    "WHERE client_id = $1 AND deleted_at IS NULL";
inline constexpr const char* kListPartners =
    "SELECT client_id, name, secret_hash, redirect_uris, created_at FROM partner_apps "
    "WHERE deleted_at IS NULL ORDER BY created_at, client_id";
inline constexpr const char* kDeletePartner =
    "UPDATE partner_apps SET deleted_at = $2 WHERE client_id = $1 AND deleted_at IS NULL "
    "RETURNING client_id";
inline constexpr const char* kRevokePartnerTokens =
    "UPDATE oauth_tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL";

#define CDP_CODE_COLUMNS                                                                    \
  "hash, grant_id, client_id, brand_id, scopes, redirect_uri, code_challenge, created_at, " \
  "expires_at, used_at"
inline constexpr const char* kInsertCode = "INSERT INTO oauth_codes (" CDP_CODE_COLUMNS
                                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)";
inline constexpr const char* kGetCode =
    "SELECT " CDP_CODE_COLUMNS " FROM oauth_codes WHERE hash = $1";
// Returns the code's grant when this call used it.
inline constexpr const char* kUseCode =
    "UPDATE oauth_codes SET used_at = $2 WHERE hash = $1 AND used_at IS NULL RETURNING grant_id";
inline constexpr const char* kCodeGrant = "SELECT grant_id FROM oauth_codes WHERE hash = $1";
#undef CDP_CODE_COLUMNS

#define CDP_TOKEN_COLUMNS \
  "hash, kind, grant_id, client_id, brand_id, scopes, created_at, expires_at, revoked_at"
inline constexpr const char* kInsertToken = "INSERT INTO oauth_tokens (" CDP_TOKEN_COLUMNS
                                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)";
inline constexpr const char* kGetToken =
    "SELECT " CDP_TOKEN_COLUMNS " FROM oauth_tokens WHERE hash = $1";
#undef CDP_TOKEN_COLUMNS
// Returns the token's grant when this call revoked it.
inline constexpr const char* kUseRefreshToken =
    "UPDATE oauth_tokens SET revoked_at = $2 WHERE hash = $1 AND kind = 'refresh' "
    "AND revoked_at IS NULL RETURNING grant_id";
inline constexpr const char* kTokenGrant = "SELECT grant_id FROM oauth_tokens WHERE hash = $1";
inline constexpr const char* kRevokeGrant =
    "UPDATE oauth_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL";
inline constexpr const char* kRevokeBrandPartner =
    "UPDATE oauth_tokens SET revoked_at = $3 WHERE brand_id = $1 AND client_id = $2 "
    "AND revoked_at IS NULL RETURNING grant_id";
inline constexpr const char* kListGrants =
    "SELECT grant_id, client_id, scopes, created_at, expires_at FROM oauth_tokens "
    "WHERE brand_id = $1 AND kind = 'refresh' AND revoked_at IS NULL AND expires_at > $2 "
    "ORDER BY created_at, grant_id";

// The tables (shared column types); the audit log's id column differs per backend and is
// prepended by each migration.
inline constexpr const char* kSchema = R"sql(
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
CREATE INDEX api_keys_by_hash ON api_keys (hash);
-- Partner apps: OAuth 2.0 confidential clients. redirect_uris: a JSON array of strings.
CREATE TABLE partner_apps (
  client_id     TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  secret_hash   TEXT NOT NULL,
  redirect_uris TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  deleted_at    BIGINT
);
-- Authorization codes (hashed), single use.
CREATE TABLE oauth_codes (
  hash           TEXT PRIMARY KEY,
  grant_id       TEXT NOT NULL,
  client_id      TEXT NOT NULL,
  brand_id       TEXT NOT NULL,
  scopes         TEXT NOT NULL,
  redirect_uri   TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  used_at        BIGINT
);
-- Access and refresh tokens (hashed); every token of one authorization shares its grant_id.
CREATE TABLE oauth_tokens (
  hash       TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  grant_id   TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  brand_id   TEXT NOT NULL,
  scopes     TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX oauth_tokens_by_grant ON oauth_tokens (grant_id);
CREATE INDEX oauth_tokens_by_brand ON oauth_tokens (brand_id, client_id);
CREATE INDEX oauth_tokens_by_client ON oauth_tokens (client_id);
)sql";
inline constexpr const char* kAuditColumns = R"sql(
  at       BIGINT NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  brand_id TEXT NOT NULL,
  target   TEXT NOT NULL,
  detail   TEXT NOT NULL
);
CREATE INDEX audit_log_by_brand ON audit_log (brand_id, id);
)sql";

}  // namespace cdp::store::access_sql
