// The embedded SQLite backend of Store: one database file in the data folder.
//
// Writes go to a single writer thread that owns the write connection and commits the
// writes of all concurrent callers in one transaction (group commit, synchronous=FULL in
// WAL mode): each caller returns once its transaction is on disk. Reads use a small pool
// of read connections, which WAL lets run beside the writer. Several processes (the server
// and admin commands) may open the same folder at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace cdp::store {

struct SqliteOptions {
  std::string data_dir = "./cdp-data";  // created if missing
  int read_connections = 4;
  // Back-pressure: at most this many rows (events, or 1 per other write) wait for the
  // writer, which bounds memory; a caller that cannot enqueue within `enqueue_timeout` gets
  // Unavailable.
  size_t max_queued_rows = 100000;
  std::chrono::milliseconds enqueue_timeout{10000};
  // At most this many queued writes, and about this many rows, share one transaction.
  size_t max_group_size = 1024;
  size_t max_group_rows = 20000;
  // The write-ahead log is copied into the database file in the background once this much
  // of it is not, and written again from its start (overwriting the file in place, which is
  // much cheaper than growing it) once it holds `wal_restart_bytes`.
  size_t wal_checkpoint_bytes = 2 << 20;
  size_t wal_restart_bytes = 16 << 20;
  // Makes the write-ahead log durable before writes are acknowledged; null: fdatasync(2).
  // Returns 0, or -1 with errno set. Tests put a failing one here: the only way to see
  // what the store does when the disk fails.
  std::function<int(int fd)> sync_log;
  // The most the segment index holds in memory (store/segment_index.h).
  size_t segment_memory = SIZE_MAX;
};

// Opens (creating and migrating as needed) the store in options.data_dir.
// FailedPrecondition if the database schema is newer than this binary.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace cdp::store
