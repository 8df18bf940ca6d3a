#include "cli/migrate.h"

#include <fmt/format.h>

#include <cstdio>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"

namespace cdp::cli {

int MigrateSqlite(const std::string& data_dir) {
  store::SqliteOptions options;
  options.data_dir = data_dir;
  options.read_connections = 1;
  auto store = store::OpenSqliteStore(options);  // migrates
  if (!store.ok()) {
    fmt::print(stderr, "error: {}\n", store.status().message());
    return 1;
  }
  fmt::print("schema is at version {} (SQLite in {})\n", store::sqlite::LatestSchemaVersion(),
             data_dir);
  return 0;
}

int MigratePostgres(const std::string& url) {
  auto schema = store::MigratePostgres(url);
  if (!schema.ok()) {
    fmt::print(stderr, "error: {}\n", schema.status().message());
    return 1;
  }
  if (schema->from_version == schema->to_version) {
    fmt::print("schema is at version {}; nothing to apply\n", schema->to_version);
  } else {
    fmt::print("schema migrated from version {} to {}\n", schema->from_version, schema->to_version);
  }
  return 0;
}

MigrateCommand::MigrateCommand(CLI::App& app, StorageFlags& storage)
    : cmd_(app.add_subcommand("migrate", "apply the database schema migrations")),
      storage_(storage) {
  AddStorageOptions(cmd_, storage);
}

int MigrateCommand::Run() const {
  return storage_.postgres() ? MigratePostgres(storage_.database_url)
                             : MigrateSqlite(storage_.data_dir);
}

}  // namespace cdp::cli
