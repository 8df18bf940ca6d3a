#include "cli/storage.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cdp::cli {

std::string StorageFlags::Describe() const {
  return postgres() ? "database=" + store::RedactPostgresUrl(database_url) : "data=" + data_dir;
}

void AddStorageOptions(CLI::App* cmd, StorageFlags& storage) {
  auto* data =
      cmd->add_option("--data", storage.data_dir, "data folder (SQLite)")->capture_default_str();
  cmd->add_option("--database", storage.database_url,
                  "PostgreSQL URL, postgres://user:password@host:port/db (instead of --data)")
      ->excludes(data);
}

size_t DefaultSegmentMemory() {
  size_t total =
      static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<size_t>(sysconf(_SC_PAGE_SIZE));
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::string limit;
  if (cgroup >> limit && !limit.empty() && limit != "max")
    total = std::min<size_t>(total, std::strtoull(limit.c_str(), nullptr, 10));
  return total / 4;
}

std::unique_ptr<store::Store> OpenStoreOrExit(const StorageFlags& storage, int readers) {
  Result<std::unique_ptr<store::Store>> store = Internal("no store");
  const size_t segment_memory =
      storage.segment_memory ? storage.segment_memory : DefaultSegmentMemory();
  if (storage.postgres()) {
    store::PostgresOptions options;
    options.url = storage.database_url;
    options.read_connections = readers;
    options.segment_memory = segment_memory;
    store = store::OpenPostgresStore(options);
  } else {
    store::SqliteOptions options;
    options.data_dir = storage.data_dir;
    options.read_connections = readers;
    options.segment_memory = segment_memory;
    store = store::OpenSqliteStore(options);
  }
  if (!store.ok()) {
    fmt::print(stderr, "error: {}\n", store.status().message());
    std::exit(1);
  }
  return std::move(store).value();
}

}  // namespace cdp::cli
