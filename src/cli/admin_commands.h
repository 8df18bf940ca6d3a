// The admin subcommands of `cdp` (`brand create|list|limits`, `key rotate|revoke|list`,
// `partner create|list|delete|revoke`, `audit`, `source ...` through
// cli/source_commands.h and `operator ...` through cli/operator_commands.h): their options and help texts, and the
// dispatch, once the command line is parsed, to the functions of cli/admin.h. Registered in
// that order on the app; the options are bound to members, so an AdminCommands stays where
// it was built while the app parses. Not thread-safe.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/operator_commands.h"
#include "cli/source_commands.h"
#include "cli/storage.h"
#include "store/store.h"

namespace cdp::cli {

// Adds `--grace DURATION` (90m, 24h, 7d; 1 s to 365 days) to `cmd`, bound to `seconds`, and
// excluding `revoke_old`: how long a rotation keeps the other keys working.
CLI::Option* AddGraceOption(CLI::App* cmd, std::optional<int64_t>& seconds,
                            CLI::Option* revoke_old);

class AdminCommands {
 public:
  // Adds the subcommands to `app`; each takes the storage options, bound to `storage`.
  AdminCommands(CLI::App& app, StorageFlags& storage);
  AdminCommands(const AdminCommands&) = delete;
  AdminCommands& operator=(const AdminCommands&) = delete;

  // Runs the admin command that was parsed against `store` and returns its exit code; 2 when
  // none was.
  int Run(store::Store& store) const;

 private:
  void AddBrand(CLI::App& app, StorageFlags& storage);
  void AddKey(CLI::App& app, StorageFlags& storage);
  void AddPartner(CLI::App& app, StorageFlags& storage);
  void AddAudit(CLI::App& app, StorageFlags& storage);

  // Shared by the subcommands that take them.
  bool as_json_ = false;
  std::string brand_id_;

  CLI::App* brand_create_ = nullptr;
  CLI::App* brand_list_ = nullptr;
  CLI::App* brand_limits_ = nullptr;
  std::string brand_name_;
  std::string limit_group_ = "all";
  std::optional<int64_t> per_minute_;

  CLI::App* key_rotate_ = nullptr;
  CLI::App* key_revoke_ = nullptr;
  CLI::App* key_list_ = nullptr;
  std::string key_prefix_;
  bool revoke_old_ = false;
  std::optional<int64_t> grace_seconds_;

  CLI::App* partner_create_ = nullptr;
  CLI::App* partner_list_ = nullptr;
  CLI::App* partner_delete_ = nullptr;
  CLI::App* partner_revoke_ = nullptr;
  std::string partner_name_;
  std::string client_id_;
  std::vector<std::string> redirect_uris_;

  CLI::App* audit_ = nullptr;
  int64_t audit_limit_ = 50;
  int64_t audit_before_ = 0;

  SourceCommands sources_;
  OperatorCommands operators_;
};

}  // namespace cdp::cli
