// `cdp migrate`: applies the schema migrations of the chosen database and says where the
// schema stands. Servers and admin commands migrate on open too; running this first lets an
// operator upgrade the schema once, before rolling new binaries out to several nodes.
// Returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/storage.h"

namespace cdp::cli {

int MigrateSqlite(const std::string& data_dir);
int MigratePostgres(const std::string& url);

// The `migrate` subcommand of `app`, migrating the store that `storage` names once parsed.
class MigrateCommand {
 public:
  MigrateCommand(CLI::App& app, StorageFlags& storage);
  MigrateCommand(const MigrateCommand&) = delete;
  MigrateCommand& operator=(const MigrateCommand&) = delete;

  bool parsed() const { return cmd_->parsed(); }
  // MigratePostgres or MigrateSqlite, by the storage flags.
  int Run() const;

 private:
  CLI::App* cmd_;
  const StorageFlags& storage_;
};

}  // namespace cdp::cli
