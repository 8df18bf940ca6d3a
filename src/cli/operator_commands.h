// `cdp operator create|list|reset|remove`: the people who sign in to the dashboard
// (docs/dashboard.md). Registered on the app by AdminCommands, after `source`; the options
// are bound to members, so an OperatorCommands stays where it was built while the app
// parses. Passwords are read from stdin (its first line, without the line ending), never
// from the command line. Like every admin command, these operate on the store directly,
// print results to stdout and errors to stderr, and record each change in the audit log as
// done by "cli:$USER" (operator.create, operator.reset, operator.remove). A reset or a
// removal ends the operator's sessions at once. Not thread-safe.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/storage.h"
#include "store/store.h"

namespace cdp::cli {

class OperatorCommands {
 public:
  OperatorCommands() = default;
  OperatorCommands(const OperatorCommands&) = delete;
  OperatorCommands& operator=(const OperatorCommands&) = delete;

  // Adds `operator` and its subcommands to `app`; each takes the storage options.
  void Register(CLI::App& app, StorageFlags& storage);

  // Whether an operator command was parsed.
  bool parsed() const;
  // Runs the operator command that was parsed against `store` and returns its exit code; 2
  // when none was.
  int Run(store::Store& store) const;

 private:
  bool as_json_ = false;
  bool password_stdin_ = false;
  std::string brand_id_;
  std::string email_;
  std::string role_ = "editor";

  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* reset_ = nullptr;
  CLI::App* remove_ = nullptr;
};

}  // namespace cdp::cli
