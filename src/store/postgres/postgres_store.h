// The PostgreSQL backend of Store, through libpq: for several `cdp serve` nodes on one
// database, and for databases larger than one machine's disk.
//
// Writes go to a single writer thread per process that owns one connection and commits the
// writes of all concurrent callers in one transaction (group commit, store/group_commit.h)
// with synchronous_commit on: a caller hears of success only once PostgreSQL has the
// commit durably. Writers on other nodes run their own transactions; rows they both touch
// are locked, and a group that loses a deadlock is rolled back and run again. Reads use a
// pool of connections. Every statement is prepared once per connection and bound with
// parameters. Thread-safe, like every Store.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/group_commit.h"
#include "store/store.h"

namespace cdp::store {

struct PostgresOptions {
  // A libpq URL (postgres://user:password@host:port/database?param=value) or key=value
  // connection string.
  std::string url;
  int read_connections = 4;
  GroupCommitOptions group_commit;
  // Apply pending schema migrations at open (otherwise the schema must be current).
  bool apply_migrations = true;
  // The most the segment index holds in memory (store/segment_index.h).
  size_t segment_memory = SIZE_MAX;
};

// Connects, migrates (when asked) and opens the store. Unavailable if the server cannot be
// reached; FailedPrecondition if the schema is newer than this binary, or older and
// apply_migrations is off.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

struct PostgresSchema {
  int from_version = 0;
  int to_version = 0;
};

// Applies pending schema migrations (what `cdp migrate` does). FailedPrecondition if the
// database schema is newer than this binary.
Result<PostgresSchema> MigratePostgres(const std::string& url);

// The URL with any password replaced by "***", for logs.
std::string RedactPostgresUrl(std::string_view url);

}  // namespace cdp::store
