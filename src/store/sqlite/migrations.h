// Versioned schema migrations for the SQLite backend. Each migration runs once, in order,
// inside one transaction with the bump of schema_migrations; a database whose schema is
// newer than this binary knows is refused rather than used.
#pragma once

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace cdp::store::sqlite {

// The newest schema version this binary knows.
int LatestSchemaVersion();

// Brings `db` up to LatestSchemaVersion(). FailedPrecondition if the database is newer.
Status Migrate(Db& db);

}  // namespace cdp::store::sqlite
