// Versioned schema migrations for the PostgreSQL backend. Each migration runs once, in
// order, in one transaction with its row in schema_migrations; concurrent migrators (several
// nodes starting at once, `cdp migrate`) are serialised by an advisory lock. A database whose
// schema is newer than this binary knows is refused rather than used.
#pragma once

#include "core/status.h"
#include "store/postgres/pg_conn.h"

namespace cdp::store::postgres {

// The newest schema version this binary knows.
int LatestSchemaVersion();

struct MigrationResult {
  int from_version = 0;
  int to_version = 0;
};

// Brings the database up to LatestSchemaVersion(). FailedPrecondition if it is newer.
Result<MigrationResult> Migrate(Conn& conn);

// The database's schema version (0 when it has none). FailedPrecondition if it is newer
// than LatestSchemaVersion().
Result<int> CheckSchemaVersion(Conn& conn);

}  // namespace cdp::store::postgres
