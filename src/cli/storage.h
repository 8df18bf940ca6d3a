// Where a command's data lives: a SQLite folder (--data) or a PostgreSQL database
// (--database), the two options every command but none other shares. Commands register the
// options on their subcommand with AddStorageOptions and open the store after parsing with
// OpenStoreOrExit. Not thread-safe; used while the command line is parsed and read once after.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "store/store.h"

namespace cdp::cli {

struct StorageFlags {
  std::string data_dir = "./cdp-data";
  std::string database_url;
  // The segment index's memory budget in bytes (serve --segment-memory); 0: DefaultSegmentMemory().
  size_t segment_memory = 0;

  bool postgres() const { return !database_url.empty(); }
  // "data=FOLDER" or "database=URL" with the password redacted, for the log.
  std::string Describe() const;
};

// Adds --data and --database (mutually exclusive) to `cmd`, bound to `storage`.
void AddStorageOptions(CLI::App* cmd, StorageFlags& storage);

// A quarter of the memory this process may use: the machine's RAM, or the cgroup's
// memory.max when that is lower.
size_t DefaultSegmentMemory();

// The store `storage` names, with `readers` read connections. On failure prints the error
// to stderr and exits the process with status 1.
std::unique_ptr<store::Store> OpenStoreOrExit(const StorageFlags& storage, int readers);

}  // namespace cdp::cli
