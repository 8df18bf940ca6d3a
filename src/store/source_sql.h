// The tables of sources, their write keys and the debugger's record of their calls, for
// both backends' migrations. Their statements are in store/sql/source_store.cc. Only store/
// includes this header.
#pragma once

#include <string>
#include <string_view>

namespace cdp::store::source_sql {

// The tables (shared column types); the id column of source_calls differs per backend and
// is prepended by each migration.
inline constexpr const char* kSchema = R"sql(
-- A brand's sources. allowed_origins: a JSON array of origins, empty for any.
CREATE TABLE sources (
  brand_id        TEXT NOT NULL,
  id              TEXT NOT NULL,
  name            TEXT NOT NULL,
  allowed_origins TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  revoked_at      BIGINT,
  PRIMARY KEY (brand_id, id)
);
-- Write keys (hashed), looked up by hash on every tracking call.
CREATE TABLE write_keys (
  hash       TEXT PRIMARY KEY,
  brand_id   TEXT NOT NULL,
  source_id  TEXT NOT NULL,
  prefix     TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX write_keys_by_source ON write_keys (brand_id, source_id);
)sql";
inline constexpr const char* kCallColumns = R"sql(
  brand_id  TEXT NOT NULL,
  source_id TEXT NOT NULL,
  at        BIGINT NOT NULL,
  path      TEXT NOT NULL,
  status    INTEGER NOT NULL,
  accepted  BIGINT NOT NULL,
  rejected  BIGINT NOT NULL,
  detail    TEXT NOT NULL
);
CREATE INDEX source_calls_by_source ON source_calls (brand_id, source_id, at);
)sql";

// The whole migration, with source_calls' id column as the backend declares it.
inline std::string Schema(std::string_view id_column) {
  return std::string(kSchema) + "CREATE TABLE source_calls (\n  " + std::string(id_column) +
         "," + kCallColumns;
}

}  // namespace cdp::store::source_sql
