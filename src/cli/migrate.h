// `cdp migrate`: applies the schema migrations of the chosen database and says where the
// schema stands. Servers and admin commands migrate on open too; running this first lets an
// operator upgrade the schema once, before rolling new binaries out to several nodes.
// Returns the process exit code.
#pragma once

#include <string>

namespace cdp::cli {

int MigrateSqlite(const std::string& data_dir);
int MigratePostgres(const std::string& url);

}  // namespace cdp::cli
