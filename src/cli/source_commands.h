// `cdp source create|list|rotate|revoke|origins|debugger`: a brand's sources (a website, an
// app, a backend...) and their write keys, which tracking SDKs send to the /v1 API, and the
// debugger's record of each source's latest calls. Registered on the app by AdminCommands,
// after `key`; the options are bound to members, so a SourceCommands stays where it was
// built while the app parses. Like every admin command, these operate on the store directly,
// print results to stdout and errors to stderr, and record each change in the audit log as
// done by "cli:$USER" (source.create, source.rotate, source.revoke, source.origins).
// Running servers see a change within their write-key cache's TTL (1 s). Not thread-safe.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/storage.h"
#include "store/store.h"

namespace cdp::cli {

class SourceCommands {
 public:
  SourceCommands() = default;
  SourceCommands(const SourceCommands&) = delete;
  SourceCommands& operator=(const SourceCommands&) = delete;

  // Adds `source` and its subcommands to `app`; each takes the storage options.
  void Register(CLI::App& app, StorageFlags& storage);

  // Runs the source command that was parsed against `store` and returns its exit code; 2
  // when none was.
  int Run(store::Store& store) const;

 private:
  bool as_json_ = false;
  std::string brand_id_;
  std::string source_id_;
  std::string name_;
  std::vector<std::string> origins_;
  bool revoke_old_ = false;
  std::optional<int64_t> grace_seconds_;
  int64_t limit_ = 100;

  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* rotate_ = nullptr;
  CLI::App* revoke_ = nullptr;
  CLI::App* set_origins_ = nullptr;
  CLI::App* debugger_ = nullptr;
};

}  // namespace cdp::cli
