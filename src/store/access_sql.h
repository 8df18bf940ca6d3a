// The tables of access control (API key use, partner apps, OAuth codes and tokens, the
// audit log) for both backends' migrations. Their statements are in store/sql/. Only
// store/ includes this header.
#pragma once

#include <string>
#include <string_view>

namespace cdp::store::access_sql {

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

// The whole migration, with the audit log's id column as the backend declares it (e.g.
// "id INTEGER PRIMARY KEY").
inline std::string Schema(std::string_view id_column) {
  return std::string(kSchema) + "CREATE TABLE audit_log (\n  " + std::string(id_column) + "," +
         kAuditColumns;
}

}  // namespace cdp::store::access_sql
