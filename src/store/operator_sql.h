// The tables of operators and their sessions, for both backends' migrations (the same text
// on each). Their statements are in store/sql/operator_store.cc. Only store/ includes this
// header.
#pragma once

namespace cdp::store::operator_sql {

inline constexpr const char* kSchema = R"sql(
-- The dashboard's operators: email lower-cased and unique across brands; role editor|viewer;
-- password_hash: scrypt$N$r$p$salt$hash (auth/password.h).
CREATE TABLE operators (
  id            TEXT PRIMARY KEY,
  brand_id      TEXT NOT NULL,
  email         TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX operators_by_brand ON operators (brand_id, created_at);
-- Signed-in sessions, by the SHA-256 of the cookie's id.
CREATE TABLE operator_sessions (
  id_hash      TEXT PRIMARY KEY,
  operator_id  TEXT NOT NULL,
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX operator_sessions_by_operator ON operator_sessions (operator_id);
CREATE INDEX operator_sessions_by_expiry ON operator_sessions (expires_at);
)sql";

}  // namespace cdp::store::operator_sql
